import Foundation
import MoECore

/// What one choice of a completion will say, decided when the request arrives: its tokens' text and why it
/// ends. The engine then only decides *when* each token comes out.
struct CompletionPlan: Sendable {
    /// One string per output token.
    var pieces: [String]
    /// Why generation ends if it is not cut by `max_tokens` first.
    var endsWithStop: Bool

    var tokens: Int { pieces.count }

    /// Plans a choice.
    /// - Parameters:
    ///   - answer: text the oracle wants said (its pieces come first), or nil for filler.
    ///   - maxTokens: `max_tokens` after the `max_model_len` cap.
    ///   - rngSeed: seed of the length and the filler.
    static func make(
        sampling: SamplingParams, maxTokens: Int, settings: SimulatorSettings, rngSeed: UInt64, answer: String?
    ) -> CompletionPlan {
        var rng = SimRandom(seed: rngSeed)
        var length: Int
        var answerPieces: [String] = []
        if let answer {
            answerPieces = pieces(of: answer)
            length = answerPieces.count
        } else {
            // Log-normal completion length with the configured mean.
            let sigma = settings.outputLengthSigma
            let mu = log(settings.outputLengthMean) - sigma * sigma / 2
            let z = rng.normal()
            length = max(1, Int((exp(mu + sigma * z)).rounded()))
        }
        if sampling.ignoreEOS { length = maxTokens }
        length = min(max(length, sampling.minTokens), maxTokens)
        var out = Array(answerPieces.prefix(length))
        if out.count < length {
            var filler = CompletionText(seed: rng.next())
            if !out.isEmpty { _ = filler.nextPiece() }  // continue mid-text: skip the capitalised opener
            out += filler.pieces(length - out.count)
        }
        var plan = CompletionPlan(pieces: out, endsWithStop: length < maxTokens)
        if !sampling.stop.isEmpty { plan.cut(at: sampling.stop, minTokens: sampling.minTokens) }
        return plan
    }

    /// Ends the text before the first stop string (vLLM drops the stop string from the output); the token that
    /// completed the stop string still counts.
    mutating func cut(at stops: [String], minTokens: Int) {
        var text = ""
        var ends: [String.Index] = []
        for p in pieces {
            text += p
            ends.append(text.endIndex)
        }
        var best: Range<String.Index>?
        for s in stops {
            var searchFrom = text.startIndex
            while let r = text.range(of: s, range: searchFrom..<text.endIndex) {
                // vLLM checks stop strings only after min_tokens tokens.
                let tokenIndex = ends.firstIndex { $0 >= r.upperBound } ?? pieces.count - 1
                if tokenIndex + 1 >= minTokens {
                    if best == nil || r.lowerBound < best!.lowerBound { best = r }
                    break
                }
                searchFrom = text.index(after: r.lowerBound)
            }
        }
        guard let best else { return }
        let lastToken = ends.firstIndex { $0 >= best.upperBound } ?? pieces.count - 1
        var kept: [String] = []
        var consumed = text.startIndex
        for i in 0...lastToken {
            let end = ends[i]
            if end <= best.lowerBound {
                kept.append(pieces[i])
            } else {
                kept.append(consumed < best.lowerBound ? String(text[consumed..<best.lowerBound]) : "")
            }
            consumed = end
        }
        pieces = kept
        endsWithStop = true
    }

    /// Splits text into the estimator's token pieces (a piece of `k` tokens becomes `k` strings).
    static func pieces(of text: String) -> [String] {
        var out: [String] = []
        TokenEstimator.scan(text) { range, tokens in
            out.append(String(text[range]))
            if tokens > 1 { out += Array(repeating: "", count: tokens - 1) }
        }
        return out
    }
}
