import Foundation
import MoECore
import SimEngine

/// What one choice of a completion will say, decided when the request arrives: how many tokens, why it ends,
/// and their text. The engine then only decides *when* each token comes out.
///
/// Filler text is produced as tokens are taken, so a long stream holds no text in memory; only an oracle answer,
/// or a text cut by stop strings, is kept as explicit pieces.
struct CompletionPlan: Sendable {
    /// Explicit pieces, one per token, taken first.
    private var pieces: [String]
    /// Generates the tokens after `pieces`.
    private var filler: CompletionText?
    private var taken = 0
    /// Output tokens in all.
    private(set) var tokens: Int
    /// Why generation ends if it is not cut by `max_tokens` first.
    var endsWithStop: Bool

    init(pieces: [String], filler: CompletionText? = nil, tokens: Int? = nil, endsWithStop: Bool) {
        self.pieces = pieces
        self.filler = filler
        self.tokens = tokens ?? pieces.count
        self.endsWithStop = endsWithStop
    }

    /// The text of the next `n` tokens (fewer at the end).
    mutating func take(_ n: Int) -> String {
        var out = ""
        let end = min(tokens, taken + n)
        while taken < end {
            if taken < pieces.count {
                out += pieces[taken]
            } else if filler != nil {
                out += filler!.nextPiece()
            }
            taken += 1
        }
        return out
    }

    /// The whole text when it is all explicit pieces (an oracle or shaped answer), without taking any; nil when
    /// filler follows.
    var explicitText: String? {
        guard pieces.count >= tokens else { return nil }
        return pieces.prefix(tokens).joined()
    }

    /// Every piece, generated now (for cutting at stop strings).
    private mutating func materialize() {
        guard pieces.count < tokens else { return }
        var filler = self.filler
        while pieces.count < tokens { pieces.append(filler?.nextPiece() ?? "") }
        self.filler = nil
    }

    /// Plans a choice.
    /// - Parameters:
    ///   - answer: text the oracle wants said (its pieces come first), or nil for filler.
    ///   - maxTokens: `max_tokens` after the `max_model_len` cap.
    ///   - rngSeed: seed of the length and the filler.
    ///   - shaped: when there is no answer, the text of a shaped answer (JSON, a tool call) of about the sampled
    ///     length, or nil for filler.
    static func make(
        sampling: SamplingParams, maxTokens: Int, settings: SimulatorSettings, rngSeed: UInt64, answer: String?,
        shaped: (@Sendable (Int, UInt64) -> String?)? = nil
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
            if let text = shaped?(min(length, maxTokens), rng.next()) {
                answerPieces = pieces(of: text)
                length = answerPieces.count
            }
        }
        if sampling.ignoreEOS { length = maxTokens }
        length = min(max(length, sampling.minTokens), maxTokens)
        let explicit = Array(answerPieces.prefix(length))
        var filler: CompletionText?
        if explicit.count < length {
            filler = CompletionText(seed: rng.next())
            if !explicit.isEmpty { _ = filler!.nextPiece() }  // continue mid-text: skip the capitalised opener
        }
        var plan = CompletionPlan(pieces: explicit, filler: filler, tokens: length, endsWithStop: length < maxTokens)
        if !sampling.stop.isEmpty {
            plan.materialize()
            plan.cut(at: sampling.stop, minTokens: sampling.minTokens)
        }
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
        tokens = kept.count
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
