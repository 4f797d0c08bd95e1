import MoECore

/// The per-request bounds on what an answer may cost, checked before any work starts (docs/http.md, "Answer
/// budget"): how many bytes a whole answer may take, how many embeddings one request may ask for, and how many
/// choices (prompts × `n`) one generation may fan out to.
///
/// A whole answer (not an SSE stream, whose bytes are written as they are made and bounded by the stream buffer
/// cap) is estimated as choices × tokens × the most bytes one token can take in that answer's shape, log
/// probabilities included, or inputs × dimensions × the bytes of one number for embeddings. The estimate is an
/// upper bound, so a refused request could not have fitted. Pure value; safe on any thread.
package struct AnswerBudget: Sendable, Equatable {
    /// Most bytes one whole answer may take (`--max-answer-bytes`).
    package var maxAnswerBytes = AnswerBudget.defaultMaxAnswerBytes
    /// Most inputs of one `/v1/embeddings` request (OpenAI's own embeddings API allows 2,048).
    package var maxEmbeddingInputs = 2_048
    /// Most choices (prompts × `n`) of one generation request.
    package var maxChoices = 1_024

    /// 32 MiB: about 2.5 million tokens of plain text, or 360 embeddings of 4,096 dimensions.
    package static let defaultMaxAnswerBytes = 32 << 20

    package init() {}

    /// Bytes of one embedding number as written (`-0.012345678901234567,` at most).
    static let bytesPerEmbeddingValue = 24
    /// Bytes of an answer's fixed parts per choice or per embedding (index, finish reason, object names).
    static let bytesPerItem = 512

    /// Upper bound of a whole generation answer: `choices` choices of at most `tokens` tokens each, each token
    /// taking at most `bytesPerToken` bytes, plus the bytes `extra` (echoed prompts).
    static func generationBytes(choices: Int, tokens: Int, bytesPerToken: Int, extra: Int = 0) -> Int {
        let perChoice = add(saturating(tokens, bytesPerToken), bytesPerItem)
        return add(saturating(choices, perChoice), extra)
    }

    /// Upper bound of an embeddings answer of `inputs` vectors of `dimensions` numbers.
    static func embeddingBytes(inputs: Int, dimensions: Int) -> Int {
        saturating(inputs, add(saturating(dimensions, bytesPerEmbeddingValue), bytesPerItem))
    }

    /// Why an answer of `bytes` bytes is refused (ending with `hint`, what to ask for instead), or nil when it
    /// fits.
    func refusal(
        bytes: Int, hint: String = "ask for fewer choices, tokens or log-probabilities, or stream the answer"
    ) -> String? {
        guard bytes > maxAnswerBytes else { return nil }
        return "the answer would take up to \(bytes) bytes, more than the limit of \(maxAnswerBytes) "
            + "(--max-answer-bytes); \(hint)"
    }

    private static func add(_ a: Int, _ b: Int) -> Int {
        let (s, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : s
    }

    private static func saturating(_ a: Int, _ b: Int) -> Int {
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? .max : p
    }
}
