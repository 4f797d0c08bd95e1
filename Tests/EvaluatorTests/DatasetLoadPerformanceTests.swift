import Foundation
import MoECore
import Testing

@testable import Evaluator

/// Loading a full GSM8K test split's worth of rows (1,319) from a local file must be quick. The rows are
/// synthetic, shaped like GSM8K's (a question of a few sentences, a worked answer with calculator annotations).
@Suite struct DatasetLoadPerformanceTests {
    static func row(_ i: Int) -> String {
        let a = 12 + i % 37
        let b = 3 + i % 11
        let question =
            "A shop packs \(a) boxes every hour. Each box holds \(b) jars of jam, and the shop works "
            + "\(i % 9 + 1) hours on Monday. Later that week it sells most of the jars at the town market, where "
            + "customers pay a fair price for each one. How many jars does the shop pack on Monday?"
        let hours = i % 9 + 1
        let answer =
            "Each hour it packs \(a)*\(b) = <<\(a)*\(b)=\(a * b)>>\(a * b) jars.\n"
            + "On Monday it packs \(a * b)*\(hours) = <<\(a * b)*\(hours)=\(a * b * hours)>>\(a * b * hours) jars.\n"
            + "#### \(a * b * hours)"
        let object: JSONValue = ["question": .string(question), "answer": .string(answer)]
        return object.serialized()
    }

    /// A line of `/proc/self/status` in kB (Linux; nil elsewhere).
    static func statusKB(_ key: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix(key + ":") }
        return line.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") }
    }

    /// Resets the process's peak resident size to its current size (Linux `clear_refs` 5), so that the peak read
    /// after the load is the load's own. Returns false where that is not possible.
    static func resetPeakResident() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }

    @Test func loadsGSM8KSizedFileQuickly() throws {
        let dir = try DatasetTempDirectory()
        defer { dir.remove() }
        let text = (0..<1319).map(Self.row).joined(separator: "\n") + "\n"
        let path = try dir.write("gsm8k_test.jsonl", text)
        let peakReset = Self.resetPeakResident()
        let residentBefore = Self.statusKB("VmRSS")
        let clock = ContinuousClock()
        let start = clock.now
        let dataset = try DatasetLoader.load(kind: .gsm8k, source: .file(path))
        let elapsed = clock.now - start
        #expect(dataset.items.count == 1319)
        #expect(dataset.warnings.isEmpty)
        #expect(dataset.items[1318].target == "2100")  // 35 boxes * 12 jars * 5 hours
        let ms = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1e3
        // Process-wide: other tests running at the same time add to it; run this suite alone for the figure.
        var growth = "n/a"
        if peakReset, let before = residentBefore, let peak = Self.statusKB("VmHWM") { growth = "\(peak - before) kB" }
        print("dataset load: 1319 rows, \(text.utf8.count) bytes in \(ms) ms; peak RSS growth \(growth)")
        #expect(elapsed < .seconds(2))
    }
}
