import MoECore
import Testing

/// The byte scan of ASCII text must cut the same pieces, with the same counts, as the scalar scan.
@Suite struct TokenEstimatorASCIITests {
    /// Pieces as byte offsets, from a scan that reports `Range<String.Index>`.
    private func pieces(
        _ text: String, _ scan: (String, (Range<String.Index>, Int) -> Void) -> Void
    ) -> [(Int, Int, Int)] {
        var out: [(Int, Int, Int)] = []
        scan(text) { range, tokens in
            out.append(
                (
                    text.utf8.distance(from: text.startIndex, to: range.lowerBound),
                    text.utf8.distance(from: text.startIndex, to: range.upperBound), tokens
                ))
        }
        return out
    }

    private func scalarPieces(_ text: String) -> [(Int, Int, Int)] { pieces(text, TokenEstimator.scanScalars) }

    /// The public scan's ranges, as byte offsets.
    private func scanPieces(_ text: String) -> [(Int, Int, Int)] { pieces(text, TokenEstimator.scan) }

    private func bytePieces(_ text: String) -> [(Int, Int, Int)] {
        var out: [(Int, Int, Int)] = []
        var copy = text
        copy.withUTF8 { bytes in TokenEstimator.scanASCII(bytes) { out.append(($0, $1, $2)) } }
        return out
    }

    private func same(_ a: [(Int, Int, Int)], _ b: [(Int, Int, Int)]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0 == $1 }
    }

    @Test(arguments: [
        "", "Hi", " Hi", "  Hi", "Hello, world!", "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n",
        "[INST] What is 12 * 7? [/INST]", "<s>x</s>", "<|x|>", "<||>", "<|a b|>", "[IN]", "[/INST", "<s", "<",
        "don't 'quote' it's", "a\r\n\r\nb", "\t\t tabs", "supercalifragilisticexpialidocious", "1234.5e-3",
        "!!!???...", "a<|im_end|>b", "x <s> y", "[[INST]]", "<<|>|>", "<|" + String(repeating: "y", count: 40) + "|>",
    ])
    func fixedTexts(_ text: String) {
        #expect(same(bytePieces(text), scalarPieces(text)))
        #expect(same(scanPieces(text), scalarPieces(text)))
    }

    @Test func generatedTexts() {
        let alphabet = Array("<|>[]/INSTs im_start'\n\r\t  abcXYZ0189.,!-?_")
        var rng = SimRandom(seed: 20)
        for length in 0..<3_000 {
            let text = String((0..<(length % 60)).map { _ in alphabet[rng.below(alphabet.count)] })
            #expect(same(bytePieces(text), scalarPieces(text)), "\(text.debugDescription)")
            #expect(TokenEstimator.count(text) == scalarPieces(text).reduce(0) { $0 + $1.2 })
        }
    }

    @Test func nonASCIITextTakesTheScalarPath() {
        let text = "Be brief. ünïcödé 数学 [INST] <｜User｜> x"
        #expect(same(scanPieces(text), scalarPieces(text)))
        // `count` decides the path on its own: it must agree with the scan's pieces.
        #expect(TokenEstimator.count(text) == scanPieces(text).reduce(0) { $0 + $1.2 })
    }
}
