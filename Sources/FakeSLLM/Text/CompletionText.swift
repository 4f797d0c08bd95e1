import MoECore
import SimEngine

/// Generates filler completion text with an exact token count under ``TokenEstimator``.
///
/// Every piece it emits (a common word with its leading space, a punctuation mark, a paragraph break) is one
/// token for the estimator, so a completion of `n` pieces reports `completion_tokens = n` and re-tokenizes to
/// `n`. Deterministic for a given seed. Pure value type; safe on any thread.
package struct CompletionText: Sendable {
    private var rng: SimRandom
    private var wordsInSentence = 0
    private var sentenceLength = 12
    private var sentencesInParagraph = 0
    private var startOfSentence = true
    private var emitted = 0
    private var lastWasComma = false

    package init(seed: UInt64) {
        rng = SimRandom(seed: seed)
        sentenceLength = 8 + Int(rng.next() % 12)
    }

    /// The next token's text.
    mutating func nextPiece() -> String {
        let piece = piece()
        lastWasComma = piece == ","
        emitted += 1
        return piece
    }

    private mutating func piece() -> String {
        if wordsInSentence >= sentenceLength {
            wordsInSentence = 0
            sentenceLength = 8 + Int(rng.next() % 12)
            startOfSentence = true
            sentencesInParagraph += 1
            return "."
        }
        if startOfSentence, sentencesInParagraph >= 4, emitted > 0 {
            sentencesInParagraph = 0
            return "\n\n"
        }
        let word = CompletionText.words[Int(rng.next() % UInt64(CompletionText.words.count))]
        defer {
            wordsInSentence += 1
            startOfSentence = false
        }
        if startOfSentence {
            let capital = word.prefix(1).uppercased() + word.dropFirst()
            return emitted == 0 || lastWasBreak ? capital : " " + capital
        }
        // Two punctuation marks in a row would merge into one token.
        if !lastWasComma, wordsInSentence > 3, wordsInSentence < sentenceLength - 2, rng.next() % 9 == 0 {
            wordsInSentence += 1
            return ","
        }
        return " " + word
    }

    private var lastWasBreak: Bool { sentencesInParagraph == 0 && emitted > 0 }

    /// `count` pieces.
    package mutating func pieces(_ count: Int) -> [String] {
        (0..<max(0, count)).map { _ in nextPiece() }
    }

    /// Common English words of at most eight letters (one token each).
    /// Most bytes one piece takes in a JSON string: the longest word, its leading space, and one escape's slack
    /// (a paragraph break `\n\n` is written as 4 bytes).
    static let maxPieceBytes = max(4, (words.map(\.utf8.count).max() ?? 0) + 2)

    static let words: [String] = [
        "the", "model", "answer", "value", "first", "number", "total", "each", "step", "result", "we", "can",
        "compute", "then", "so", "this", "gives", "that", "and", "of", "to", "in", "is", "for", "with", "as",
        "it", "on", "by", "from", "at", "which", "are", "be", "one", "two", "three", "more", "less", "time",
        "after", "before", "between", "each", "every", "next", "final", "check", "again", "sum", "product",
        "amount", "price", "cost", "money", "hours", "days", "people", "items", "group", "part", "half", "twice",
        "per", "many", "much", "left", "remains", "equals", "means", "known", "given", "problem", "question",
        "simple", "clear", "careful", "method", "count", "add", "take", "away", "multiply", "divide", "both",
        "sides", "same", "other", "new", "old", "small", "large", "long", "short", "early", "later", "while",
        "because", "since", "thus", "hence", "also", "only", "just", "about", "around", "under", "over",
        "into", "out", "up", "down", "all", "some", "any", "no", "not", "yes", "true", "false", "case", "way",
        "point", "line", "set", "rate", "speed", "distance", "weight", "length", "width", "height", "area",
        "volume", "ratio", "percent", "share", "week", "month", "year", "minute", "second", "store", "school",
        "friend", "family", "book", "apple", "orange", "box", "bag", "car", "train", "water", "garden",
    ]
}

/// FNV-1a over bytes: a stable hash for seeds and prefix-cache block keys (Swift's `Hasher` is randomized).
func stableHash<S: Sequence>(_ bytes: S, seed: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 where S.Element == UInt8 {
    var h = seed
    for b in bytes {
        h ^= UInt64(b)
        h = h &* 0x100_0000_01B3
    }
    return h
}
