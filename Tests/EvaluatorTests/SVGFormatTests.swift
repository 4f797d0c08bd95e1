import MoECore
import Testing

@testable import Evaluator

/// The report's number text: ``SVGFormat/fixed(_:decimals:)`` computes `printf("%.Nf")` itself and must give
/// C's text exactly (docs/report.md: the page is the same whichever path built it).
@Suite struct SVGFormatTests {
    /// Edge values: zeros of both signs, exact halves at each precision (round half to even), values that
    /// round up across a power of ten, tiny negatives that print as "-0.0", and large integers.
    static let edges: [Double] = [
        0, -0.0, 0.5, 1.5, 2.5, -0.5, -2.5, 0.05, 0.15, 0.25, 0.35, 0.125, 0.375, 0.0625, 9.95, 9.96, 99.95, 999.9996,
        0.00049, -0.00004, -0.04, 1e-4, 9.9999e-5, 1e-300, 5e-324, 123456.789, 4503599627370495.5, 0x1p52 - 1, 1240,
        360, 72, 34.0000001, 305.45, 0.1, 0.2, 0.3, 1 / 3, 2 / 3,
    ]

    @Test(arguments: 0...3)
    func fixedMatchesPrintfOnEdgesAndRandomValues(decimals: Int) {
        var values = SVGFormatTests.edges.flatMap { [$0, -$0] }
        var rng = SimRandom(seed: UInt64(decimals) + 7)
        for _ in 0..<20_000 {
            // Pixel-sized values, then arbitrary bit patterns of every magnitude below 2^52.
            values.append(Double(rng.next() % 2_000_000) / 1000 - 500)
            let bits = Double(bitPattern: rng.next())
            if bits.isFinite, abs(bits) < 0x1p52 { values.append(bits) }
        }
        var mismatches: [String] = []
        for v in values {
            let mine = SVGFormat.fixed(v, decimals: decimals)
            let c = SVGFormat.printf("%.\(decimals)f", v)
            if mine != c, mismatches.count < 5 { mismatches.append("\(v.bitPattern): \(mine) vs \(c)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    @Test func pixelTextIsFixedWithOneDecimal() {
        #expect(SVGFormat.px(72) == "72.0" && SVGFormat.px(-0.04) == "-0.0" && SVGFormat.px(1239.96) == "1240.0")
        #expect(SVGFormat.px(.infinity) == "0")
    }
}
