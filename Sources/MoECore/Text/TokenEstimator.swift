/// A tokenizer approximation for counting and cutting text without the model's vocabulary.
///
/// It follows the pre-tokenization of the byte-level BPE tokenizers of Qwen, Mixtral and DeepSeek: a word with
/// its leading space is one piece, every digit is its own token, a run of punctuation is one piece, a run of
/// newlines is one token, and a chat-template marker (`<|im_start|>`, `[INST]`, `<｜User｜>`, …) is one token.
/// BPE then keeps common words whole and splits long ones, which is modelled as one token per 6 letters beyond
/// the eighth; CJK characters count one token each.
///
/// Expected error against the real tokenizers on English prose and GSM8K-style math text: within about ±15%
/// of the true count (usually a slight under-count on rare words, an over-count on long numbers for tokenizers
/// that merge digit groups). Counts are exact for text this project generates itself (its completions are built
/// from pieces that this estimator counts as one token each).
///
/// Pure functions, safe from any thread.
package enum TokenEstimator {
    /// Number of tokens in `text`.
    package static func count(_ text: String) -> Int {
        var n = 0
        let ascii = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard ASCIIBytes.all(bytes) else { return false }
            scanASCII(bytes) { _, _, tokens in n += tokens }
            return true
        }
        if ascii == true { return n }
        scanScalars(text) { _, tokens in n += tokens }
        return n
    }

    /// The longest prefix of `text` holding at most `tokens` tokens (pieces are never split).
    package static func prefix(_ text: String, tokens limit: Int) -> Substring {
        guard limit > 0 else { return text[text.startIndex..<text.startIndex] }
        var n = 0
        var end = text.startIndex
        var done = false
        scan(text) { range, tokens in
            if done { return }
            if n + tokens > limit {
                done = true
                return
            }
            n += tokens
            end = range.upperBound
        }
        return text[..<end]
    }

    /// Calls `body` with each piece of `text` (consecutive, covering the whole text) and its token count.
    /// ASCII text is scanned as bytes (``scanASCII(_:_:)``, the same pieces: tested), other text scalar by scalar.
    package static func scan(_ text: String, _ body: (Range<String.Index>, Int) -> Void) {
        let utf8 = text.utf8
        let ascii = utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard ASCIIBytes.all(bytes) else { return false }
            let base = utf8.startIndex
            scanASCII(bytes) { from, to, tokens in
                body(utf8.index(base, offsetBy: from)..<utf8.index(base, offsetBy: to), tokens)
            }
            return true
        }
        if ascii != true { scanScalars(text, body) }
    }

    /// ``scanScalars(_:_:)`` for text of ASCII bytes only: the same pieces (as byte offsets `from..<to`) and
    /// counts, read from the bytes without decoding scalars or building indices (every prompt is counted and
    /// hashed by this scan on the request path).
    package static func scanASCII(_ s: UnsafeBufferPointer<UInt8>, _ body: (Int, Int, Int) -> Void) {
        let end = s.count
        @inline(__always) func cls(_ i: Int) -> ASCIIClass { asciiClass[Int(s[i])] }
        @inline(__always) func isNewline(_ b: UInt8) -> Bool { b == 0x0A || b == 0x0D }
        func letters(_ i: inout Int) -> Int {
            var n = 0
            while i < end, cls(i) == .letter || (s[i] == UInt8(ascii: "'") && n > 0) {
                i += 1
                n += 1
            }
            return n
        }
        var i = 0
        while i < end {
            let start = i
            let c = s[i]
            if let markerEnd = asciiMarker(s, at: i) {
                i = markerEnd
                body(start, i, 1)
                continue
            }
            if isNewline(c) {
                while i < end, isNewline(s[i]) { i += 1 }
                body(start, i, 1)
                continue
            }
            switch cls(i) {
            case .space:
                let next = i + 1
                if c == UInt8(ascii: " "), next < end, cls(next) == .letter {
                    i = next
                    let n = letters(&i)
                    body(start, i, wordTokens(n))
                    continue
                }
                while i < end, cls(i) == .space, !isNewline(s[i]) { i += 1 }
                body(start, i, 1)
            case .letter:
                let n = letters(&i)
                body(start, i, wordTokens(n))
            case .digit:
                i += 1
                body(start, i, 1)
            case .other:
                var length = 0
                while i < end, cls(i) == .other, asciiMarker(s, at: i) == nil {
                    i += 1
                    length += 1
                }
                body(start, i, (length + 1) / 2)
            }
        }
    }

    /// ``marker(in:at:)`` on ASCII bytes.
    private static func asciiMarker(_ s: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        let c = s[i]
        guard c == UInt8(ascii: "<") || c == UInt8(ascii: "[") else { return nil }
        var j = i + 1
        guard j < s.count else { return nil }
        let second = s[j]
        if c == UInt8(ascii: "<"), second != UInt8(ascii: "|"), second != UInt8(ascii: "s"),
            second != UInt8(ascii: "/")
        {
            return nil
        }
        if c == UInt8(ascii: "["), second != UInt8(ascii: "I"), second != UInt8(ascii: "/") { return nil }
        let close = c == UInt8(ascii: "<") ? UInt8(ascii: ">") : UInt8(ascii: "]")
        var length = 0
        while j < s.count, length < 32 {
            let x = s[j]
            if x == close {
                let body = UnsafeBufferPointer(rebasing: s[(i + 1)..<j])
                return asciiMarkerBody(body, bracket: c == UInt8(ascii: "[")) ? j + 1 : nil
            }
            if x == UInt8(ascii: " ") || x == UInt8(ascii: "\n") { return nil }
            j += 1
            length += 1
        }
        return nil
    }

    /// Whether the bytes between a marker's brackets make it a marker (`[INST]`, `[/INST]`, `<s>`, `</s>`,
    /// `<|…|>`): the scalar path's test, on ASCII bytes.
    private static func asciiMarkerBody(_ body: UnsafeBufferPointer<UInt8>, bracket: Bool) -> Bool {
        func equals(_ literal: StaticString) -> Bool {
            body.count == literal.utf8CodeUnitCount
                && body.elementsEqual(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
        }
        if bracket { return equals("INST") || equals("/INST") }
        if equals("s") || equals("/s") { return true }
        let bar = UInt8(ascii: "|")
        return body.count >= 3 && body.first == bar && body.last == bar
    }

    /// The general scan, scalar by scalar (any text; ``scan(_:_:)`` takes it for text that is not all ASCII).
    package static func scanScalars(_ text: String, _ body: (Range<String.Index>, Int) -> Void) {
        let scalars = text.unicodeScalars
        var i = scalars.startIndex
        let end = scalars.endIndex
        while i < end {
            let start = i
            let c = scalars[i]
            if let markerEnd = marker(in: scalars, at: i) {
                i = markerEnd
                body(start..<i, 1)
                continue
            }
            if c == "\n" || c == "\r" {
                while i < end, scalars[i] == "\n" || scalars[i] == "\r" { i = scalars.index(after: i) }
                body(start..<i, 1)
                continue
            }
            if isWhitespace(c) {
                // A single space joins the following word; other whitespace runs are one token.
                let next = scalars.index(after: i)
                if c == " ", next < end, isLetter(scalars[next]) {
                    i = next
                    let letters = consumeLetters(scalars, &i)
                    body(start..<i, wordTokens(letters))
                    continue
                }
                while i < end, isWhitespace(scalars[i]), scalars[i] != "\n", scalars[i] != "\r" {
                    i = scalars.index(after: i)
                }
                body(start..<i, 1)
                continue
            }
            if isCJK(c) {
                i = scalars.index(after: i)
                body(start..<i, 1)
                continue
            }
            if isLetter(c) {
                let letters = consumeLetters(scalars, &i)
                body(start..<i, wordTokens(letters))
                continue
            }
            if isNumeric(c) {
                i = scalars.index(after: i)
                body(start..<i, 1)
                continue
            }
            // Punctuation and symbols: runs of up to two characters per token.
            var length = 0
            while i < end, !isLetter(scalars[i]), !isWhitespace(scalars[i]),
                !isNumeric(scalars[i]), marker(in: scalars, at: i) == nil, !isCJK(scalars[i])
            {
                i = scalars.index(after: i)
                length += 1
            }
            body(start..<i, (length + 1) / 2)
        }
    }

    /// Unicode's `Alphabetic`, not numeric, not CJK. ASCII is answered from the byte (Unicode's property
    /// look-up costs more than the rest of the scan); the answers are the same (tested).
    static func isLetter(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII { return asciiClass[Int(c.value)] == .letter }
        return c.properties.isAlphabetic && c.properties.numericType == nil && !isCJK(c)
    }

    /// Unicode's `White_Space` (ASCII from the byte).
    static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        c.isASCII ? asciiClass[Int(c.value)] == .space : c.properties.isWhitespace
    }

    /// Whether Unicode gives the scalar a numeric type (ASCII: the digits).
    static func isNumeric(_ c: Unicode.Scalar) -> Bool {
        c.isASCII ? asciiClass[Int(c.value)] == .digit : c.properties.numericType != nil
    }

    enum ASCIIClass { case letter, digit, space, other }

    /// The class of each ASCII scalar, as Unicode's properties give it.
    static let asciiClass: [ASCIIClass] = (0..<128).map { v in
        switch UInt8(v) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): return .letter
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return .digit
        case 0x09...0x0D, 0x20: return .space
        default: return .other
        }
    }

    private static func isCJK(_ c: Unicode.Scalar) -> Bool {
        (0x2E80...0x9FFF).contains(c.value) || (0xAC00...0xD7AF).contains(c.value)
            || (0xF900...0xFAFF).contains(c.value) || (0x20000...0x2FFFF).contains(c.value)
    }

    private static func consumeLetters(_ s: String.UnicodeScalarView, _ i: inout String.Index) -> Int {
        var n = 0
        while i < s.endIndex, isLetter(s[i]) || (s[i] == "'" && n > 0) {
            i = s.index(after: i)
            n += 1
        }
        return n
    }

    /// BPE keeps common words whole; long words split about every six letters.
    private static func wordTokens(_ letters: Int) -> Int { letters <= 8 ? 1 : (letters + 5) / 6 }

    /// The marker test of ``marker(in:at:)`` for a body of ASCII scalars only (each one a `Character`, so the
    /// counts and ends agree with the `String` test), without building a `String`; nil for any other body.
    private static func asciiMarkerBody(_ body: Substring.UnicodeScalarView, bracket: Bool) -> Bool? {
        var count = 0
        var first: UInt32 = 0
        var last: UInt32 = 0
        // Whether the body so far equals the start of "INST", "/INST", "s", "/s".
        var inst = true, slashInst = true, s = true, slashS = true
        let instBytes: StaticString = "INST"
        let slashInstBytes: StaticString = "/INST"
        for x in body {
            guard x.isASCII else { return nil }
            let v = x.value
            if count == 0 { first = v }
            last = v
            inst = inst && count < 4 && v == UInt32(instBytes.utf8Start[count])
            slashInst = slashInst && count < 5 && v == UInt32(slashInstBytes.utf8Start[count])
            s = s && count == 0 && v == UInt32(UInt8(ascii: "s"))
            slashS = slashS && count < 2 && v == UInt32(count == 0 ? UInt8(ascii: "/") : UInt8(ascii: "s"))
            count += 1
        }
        if bracket { return (inst && count == 4) || (slashInst && count == 5) }
        if (s && count == 1) || (slashS && count == 2) { return true }
        let bar = UInt32(UInt8(ascii: "|"))
        return count >= 3 && first == bar && last == bar
    }

    /// A chat-template marker starting at `i`: `<|…|>`, `<｜…｜>`, `[INST]`, `[/INST]`, `<s>`, `</s>`.
    private static func marker(in s: String.UnicodeScalarView, at i: String.Index) -> String.Index? {
        let c = s[i]
        guard c == "<" || c == "[" else { return nil }
        var j = s.index(after: i)
        var length = 0
        let close: Unicode.Scalar = c == "<" ? ">" : "]"
        guard j < s.endIndex else { return nil }
        let second = s[j]
        if c == "<", second != "|", second != "｜", second != "s", second != "/" { return nil }
        if c == "[", second != "I", second != "/" { return nil }
        while j < s.endIndex, length < 32 {
            let x = s[j]
            if x == close {
                let from = s.index(after: i)
                if let ok = asciiMarkerBody(s[from..<j], bracket: c == "[") { return ok ? s.index(after: j) : nil }
                let body = String(String.UnicodeScalarView(s[from..<j]))
                let ok =
                    c == "["
                    ? (body == "INST" || body == "/INST")
                    : (body == "s" || body == "/s"
                        || (body.count >= 3 && (body.first == "|" || body.first == "｜")
                            && (body.last == "|" || body.last == "｜")))
                return ok ? s.index(after: j) : nil
            }
            if x == " " || x == "\n" { return nil }
            j = s.index(after: j)
            length += 1
        }
        return nil
    }
}
