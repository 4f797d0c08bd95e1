#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// ``NumericAnswerExtractor`` for texts that are pure ASCII, as hand-written scans over the UTF-8 bytes instead of
/// regular expressions (docs/evaluator.md "Judging answers"): the same candidates, the same "latest end wins"
/// choice and the same fallback, at a small fraction of the CPU (no ICU, no UTF-16 copies).
///
/// Each scan follows Python `re`'s search for its pattern (leftmost start, non-overlapping `finditer`, greedy and
/// lazy quantifiers with their backtracking), worked out per pattern; the comments say why a greedy choice can
/// be taken without trying the others. On ASCII text Python's `IGNORECASE` is ASCII case folding, `\s` is
/// `[\t\n\v\f\r\x1c-\x1f ]`, `\d` is `[0-9]` and `\b` separates `[A-Za-z0-9_]` from the rest, so nothing here
/// depends on Unicode tables. A text with any non-ASCII byte returns nil and goes through the regular
/// expressions. `ExtractionEquivalenceTests` compares both paths on the golden vectors and on many generated
/// texts. Pure functions; any thread.
enum ASCIINumericExtractor {
    /// The answer of ``NumericAnswerExtractor/extract(_:)``, or nil when `text` is not pure ASCII.
    static func extract(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            guard ASCIIBytes.all(bytes) else { return nil }
            return Scan(s: bytes).answer()
        }
    }

    private struct Scan {
        let s: UnsafeBufferPointer<UInt8>
        var n: Int { s.count }

        // (end offset of group 1, its start), in MoE-CAP's list order.
        typealias Candidate = (end: Int, start: Int)

        func answer() -> String {
            var candidates: [Candidate] = []
            explicitHashes(&candidates)
            explicitBoxed(&candidates)
            explicitAnswerIs(&candidates)
            explicitEquals(&candidates)
            boldSpans(&candidates)

            let lines = nonBlankLines()
            let tail = lines.suffix(3)
            for i in tail.indices {
                let line = stripped(lines[i])
                guard isLabel(line.lowerBound, line.upperBound), i + 1 < lines.count else { continue }
                if let last = lastNumber(in: lines[i + 1]) { candidates.append(last) }
            }
            if let first = candidates.first {
                var best = first
                for c in candidates.dropFirst() where c.end > best.end { best = c }
                return value(best.start, best.end)
            }

            // No candidate: a conclusion cue with a number, or a standalone number, last three lines from the
            // bottom.
            for range in tail.reversed() {
                let line = stripped(range)
                if hasConclusionCue(line), let last = lastNumber(in: line) { return value(last.start, last.end) }
                if let m = standalone(line) { return value(m.start, m.end) }
            }
            return ""
        }

        // MARK: Character classes (ASCII)

        @inline(__always) func isSpace(_ b: UInt8) -> Bool { (0x09...0x0D).contains(b) || (0x1C...0x20).contains(b) }
        @inline(__always) func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        @inline(__always) func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
        @inline(__always) func isWord(_ b: UInt8) -> Bool { isLetter(b) || isDigit(b) || b == 0x5F }
        @inline(__always) func at(_ i: Int) -> UInt8 { i < n ? s[i] : 0 }

        /// The first position at or after `i` that holds `byte`, or `n` (C's `memchr`: a scan starts only where
        /// its pattern's first byte is, so the positions between are skipped in one call).
        @inline(__always) func next(_ byte: UInt8, from i: Int) -> Int {
            guard i < n, let base = s.baseAddress, let hit = memchr(base + i, Int32(byte), n - i) else { return n }
            return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
        }

        func skipSpaces(_ i: Int) -> Int {
            var j = i
            while j < n, isSpace(s[j]) { j += 1 }
            return j
        }

        /// Whether `word` (lower-case letters) is at `i`, ASCII case-insensitively, ending before `limit`.
        func hasWord(_ word: StaticString, at i: Int, limit: Int? = nil) -> Bool {
            let count = word.utf8CodeUnitCount
            guard i >= 0, i + count <= (limit ?? n) else { return false }
            let w = word.utf8Start
            for k in 0..<count where s[i + k] | 0x20 != w[k] { return false }
            return true
        }

        /// `number` = `(?<![\d.])(-?\d[\d,]*)` starting at `y` (greedy, before `limit`): the group's end.
        /// The look-behind reads the text before `y`; every caller's searched text is either the whole text or a
        /// line whose preceding character is a newline or whitespace, so that equals Python's view of its string.
        func number(at y: Int, limit: Int? = nil) -> Int? {
            let hi = limit ?? n
            guard y < hi else { return nil }
            if y > 0, isDigit(s[y - 1]) || s[y - 1] == UInt8(ascii: ".") { return nil }
            var j = y
            if s[j] == UInt8(ascii: "-") { j += 1 }
            guard j < hi, isDigit(s[j]) else { return nil }
            j += 1
            while j < hi, isDigit(s[j]) || s[j] == UInt8(ascii: ",") { j += 1 }
            return j
        }

        /// `\s*` `\\?` `\$?` `\s*` or a longer lead (`skip` first), then `number`: none of the lead characters can
        /// start a number or precede one badly, so the greedy lead is the only one that can succeed.
        func leadThenNumber(_ i: Int, stars: Bool = false, spacesFirst: Bool = true) -> Candidate? {
            var j = spacesFirst ? skipSpaces(i) : i
            if stars {
                if at(j) == UInt8(ascii: "*") { j += 1 }
                if at(j) == UInt8(ascii: "*") { j += 1 }
            }
            if at(j) == UInt8(ascii: "\\") { j += 1 }
            if at(j) == UInt8(ascii: "$") { j += 1 }
            j = skipSpaces(j)
            guard let e = number(at: j) else { return nil }
            return (e, j)
        }

        /// The group's text with `,` removed (`.replace(",", "").strip()`; the group holds no whitespace).
        func value(_ a: Int, _ b: Int) -> String {
            var out: [UInt8] = []
            out.reserveCapacity(b - a)
            for i in a..<b where s[i] != UInt8(ascii: ",") { out.append(s[i]) }
            return String(decoding: out, as: UTF8.self)
        }

        // MARK: E1–E4 and bold

        /// E1 `####\s*\$?\s*number`.
        func explicitHashes(_ out: inout [Candidate]) {
            var p = 0
            while p + 4 <= n {
                p = next(0x23, from: p)
                guard p + 4 <= n else { return }
                guard s[p] == 0x23, s[p + 1] == 0x23, s[p + 2] == 0x23, s[p + 3] == 0x23 else {
                    p += 1
                    continue
                }
                var j = skipSpaces(p + 4)
                if at(j) == UInt8(ascii: "$") { j += 1 }
                j = skipSpaces(j)
                if let e = number(at: j) {
                    out.append((e, j))
                    p = e
                } else {
                    p += 1
                }
            }
        }

        /// E2 `\\boxed\{\s*\\?\$?\s*number(?:\s*\\?%)?[^}]*\}`: the match ends at the first `}` after the number
        /// (giving digits back never helps: `[^}]*` accepts them anyway), and the search resumes there.
        func explicitBoxed(_ out: inout [Candidate]) {
            var p = 0
            while p + 7 <= n {
                p = next(UInt8(ascii: "\\"), from: p)
                guard p + 7 <= n else { return }
                guard s[p] == UInt8(ascii: "\\"), hasWord("boxed", at: p + 1), s[p + 6] == UInt8(ascii: "{") else {
                    p += 1
                    continue
                }
                guard let (e, y) = leadThenNumber(p + 7) else {
                    p += 1
                    continue
                }
                var close = e
                while close < n, s[close] != UInt8(ascii: "}") { close += 1 }
                guard close < n else { return }  // no `}` after this number, nor after any later one
                out.append((e, y))
                p = close + 1
            }
        }

        /// E3 `(?:the\s+)?(?:final\s+)?answer\s*(?:is|=|:)[^\n\d-]{0,100}?\\?\$?\s*number`. The optional prefixes
        /// only move the match's start, never its group, so every `answer` from the resume point is tried; the
        /// lazy gap grows one allowed character at a time until the number part matches.
        func explicitAnswerIs(_ out: inout [Candidate]) {
            var p = 0
            // The next `a` and the next `A` at or after `p`, each looked for again once `p` has passed it.
            var lower = -1
            var upper = -1
            while p + 6 <= n {
                if lower < p { lower = next(UInt8(ascii: "a"), from: p) }
                if upper < p { upper = next(UInt8(ascii: "A"), from: p) }
                p = min(lower, upper)
                guard p + 6 <= n else { return }
                guard hasWord("answer", at: p) else {
                    p += 1
                    continue
                }
                var r = skipSpaces(p + 6)
                if hasWord("is", at: r) {
                    r += 2
                } else if at(r) == UInt8(ascii: "=") || at(r) == UInt8(ascii: ":") {
                    r += 1
                } else {
                    p += 1
                    continue
                }
                var x = r
                var found: Candidate?
                for k in 0...100 {
                    if let m = leadThenNumber(x, spacesFirst: false) {
                        found = m
                        break
                    }
                    guard k < 100, x < n else { break }
                    let c = s[x]
                    if c == 0x0A || isDigit(c) || c == UInt8(ascii: "-") { break }
                    x += 1
                }
                if let found {
                    out.append(found)
                    p = found.end
                } else {
                    p += 1
                }
            }
        }

        /// E4 `=\s*\*?\*?\\?\$?\s*number(?:\.\d+)?\$?\*?\*?(?:\s*(?:\\?%|[A-Za-z][A-Za-z /-]{0,40}))?\s*\.?\s*$`
        /// (MULTILINE: `$` before any `\n` or at the end). No character a match can span is `=`, so every `=` is
        /// a search start; the group never changes with the tail's parse, so only whether the tail can reach a
        /// line end matters.
        func explicitEquals(_ out: inout [Candidate]) {
            var p = next(UInt8(ascii: "="), from: 0)
            while p < n {
                if let m = leadThenNumber(p + 1, stars: true), equalsTailMatches(m.end) { out.append(m) }
                p = next(UInt8(ascii: "="), from: p + 1)
            }
        }

        func equalsTailMatches(_ e: Int) -> Bool {
            var starts = [e]
            if at(e) == UInt8(ascii: "."), e + 1 < n, isDigit(s[e + 1]) {
                var j = e + 1
                while j < n, isDigit(s[j]) { j += 1 }  // fewer digits would leave a digit nothing else accepts
                starts.append(j)
            }
            for start in starts {
                // `$`, `*`: nothing later accepts them, so they are taken when present.
                var p = start
                if at(p) == UInt8(ascii: "$") { p += 1 }
                if at(p) == UInt8(ascii: "*") { p += 1 }
                if at(p) == UInt8(ascii: "*") { p += 1 }
                if lineEndFollows(p) { return true }
                var q = p
                while true {
                    if at(q) == UInt8(ascii: "\\"), at(q + 1) == UInt8(ascii: "%"), lineEndFollows(q + 2) {
                        return true
                    }
                    if at(q) == UInt8(ascii: "%"), lineEndFollows(q + 1) { return true }
                    if q < n, isLetter(s[q]) {
                        var c = 0
                        while true {
                            if lineEndFollows(q + 1 + c) { return true }
                            guard c < 40, q + 1 + c < n else { break }
                            let b = s[q + 1 + c]
                            guard isLetter(b) || b == 0x20 || b == UInt8(ascii: "/") || b == UInt8(ascii: "-") else {
                                break
                            }
                            c += 1
                        }
                    }
                    guard q < n, isSpace(s[q]) else { break }
                    q += 1
                }
            }
            return false
        }

        /// `\s*\.?\s*$` at `q` (MULTILINE `$`).
        func lineEndFollows(_ q: Int) -> Bool {
            var r = q
            while r < n, isSpace(s[r]) {
                if s[r] == 0x0A { return true }
                r += 1
            }
            if r == n { return true }
            guard s[r] == UInt8(ascii: ".") else { return false }
            r += 1
            while r < n, isSpace(s[r]) {
                if s[r] == 0x0A { return true }
                r += 1
            }
            return r == n
        }

        /// B `\*\*\s*\\?\$?\s*number(?:\s+[^*\n]{1,80})?\*\*`. The group is fixed once the number matched; which
        /// parse closes the span decides where the next search starts, so the engine's order is followed: the
        /// longest `\s+` first, and for each the only `[^*\n]` run that can end at `**`.
        func boldSpans(_ out: inout [Candidate]) {
            guard hasPair(UInt8(ascii: "*")) else { return }
            var p = 0
            while p + 2 <= n {
                p = next(UInt8(ascii: "*"), from: p)
                guard p + 2 <= n else { return }
                guard s[p] == UInt8(ascii: "*"), s[p + 1] == UInt8(ascii: "*"),
                    let (e, y) = leadThenNumber(p + 2), let end = boldClose(after: e)
                else {
                    p += 1
                    continue
                }
                out.append((e, y))
                p = end
            }
        }

        func hasPair(_ b: UInt8) -> Bool {
            var i = 0
            while i + 1 < n {
                if s[i] == b, s[i + 1] == b { return true }
                i += 1
            }
            return false
        }

        /// The end of `(?:\s+[^*\n]{1,80})?\*\*` from `e`, or nil.
        func boldClose(after e: Int) -> Int? {
            var spaces = 0
            while e + spaces < n, isSpace(s[e + spaces]) { spaces += 1 }
            var j = spaces
            while j >= 1 {
                let q = e + j
                var r = 0
                while q + r < n, r <= 80, s[q + r] != UInt8(ascii: "*"), s[q + r] != 0x0A { r += 1 }
                if r >= 1, r <= 80, at(q + r) == UInt8(ascii: "*"), at(q + r + 1) == UInt8(ascii: "*") {
                    return q + r + 2
                }
                j -= 1
            }
            if at(e) == UInt8(ascii: "*"), at(e + 1) == UInt8(ascii: "*") { return e + 2 }
            return nil
        }

        // MARK: Lines

        /// `[m for m in re.finditer(r"[^\n]+", text) if m.group().strip()]` as byte ranges.
        func nonBlankLines() -> [Range<Int>] {
            var out: [Range<Int>] = []
            var start = 0
            while start <= n {
                let end = next(0x0A, from: start)
                var k = start
                while k < end, isSpace(s[k]) { k += 1 }
                if k < end { out.append(start..<end) }
                start = end + 1
            }
            return out
        }

        /// `line.strip()` as a range.
        func stripped(_ r: Range<Int>) -> Range<Int> {
            var a = r.lowerBound
            var b = r.upperBound
            while a < b, isSpace(s[a]) { a += 1 }
            while b > a, isSpace(s[b - 1]) { b -= 1 }
            return a..<b
        }

        /// `re.fullmatch(r"(?:final\s+)?answer\s*:?", re.sub(r"[*#✅>]+", " ", line).strip(), re.IGNORECASE)` for
        /// the stripped line `a..<b` (no ✅ in ASCII text).
        func isLabel(_ a: Int, _ b: Int) -> Bool {
            // The cleaned, stripped line starts with `final` or `answer`: its first byte that is neither a space
            // nor one of `*#>` must be an `f` or an `a` (most lines are ruled out here, without the copy below).
            var first = a
            while first < b,
                isSpace(s[first]) || s[first] == UInt8(ascii: "*") || s[first] == UInt8(ascii: "#")
                    || s[first] == UInt8(ascii: ">")
            {
                first += 1
            }
            guard first < b, s[first] | 0x20 == UInt8(ascii: "f") || s[first] | 0x20 == UInt8(ascii: "a") else {
                return false
            }
            var c: [UInt8] = []
            c.reserveCapacity(b - a)
            var i = a
            while i < b {
                let x = s[i]
                if x == UInt8(ascii: "*") || x == UInt8(ascii: "#") || x == UInt8(ascii: ">") {
                    while i < b, s[i] == UInt8(ascii: "*") || s[i] == UInt8(ascii: "#") || s[i] == UInt8(ascii: ">") {
                        i += 1
                    }
                    c.append(0x20)
                } else {
                    c.append(x)
                    i += 1
                }
            }
            var lo = 0
            var hi = c.count
            while lo < hi, isSpace(c[lo]) { lo += 1 }
            while hi > lo, isSpace(c[hi - 1]) { hi -= 1 }
            return c.withUnsafeBufferPointer { cb in
                let t = Scan(s: UnsafeBufferPointer(rebasing: cb[lo..<hi]))
                var k = 0
                // `final\s+` then `answer` (a text starting with `final` cannot start with `answer`, so the
                // optional prefix has one useful choice).
                if t.hasWord("final", at: 0), t.n > 5, t.isSpace(t.s[5]) { k = t.skipSpaces(5) }
                guard t.hasWord("answer", at: k) else { return false }
                k = t.skipSpaces(k + 6)
                if t.at(k) == UInt8(ascii: ":") { k += 1 }
                return k == t.n
            }
        }

        /// The last match of `number` searched in `r` (`re.finditer`), as a candidate.
        func lastNumber(in r: Range<Int>) -> Candidate? {
            var last: Candidate?
            var p = r.lowerBound
            while p < r.upperBound {
                if let e = number(at: p, limit: r.upperBound) {
                    last = (e, p)
                    p = e
                } else {
                    p += 1
                }
            }
            return last
        }

        /// `\b(?:answer|result|…|needed)\b` (IGNORECASE) in `r`: some maximal run of word characters is one of
        /// the cue words (every cue is letters only, so `\b` on both sides means exactly that).
        func hasConclusionCue(_ r: Range<Int>) -> Bool {
            var i = r.lowerBound
            while i < r.upperBound {
                guard isWord(s[i]) else {
                    i += 1
                    continue
                }
                var j = i
                while j < r.upperBound, isWord(s[j]) { j += 1 }
                if isCue(i, j) { return true }
                i = j
            }
            return false
        }

        func isCue(_ a: Int, _ b: Int) -> Bool {
            for word in Self.cues where word.utf8CodeUnitCount == b - a && hasWord(word, at: a) { return true }
            return false
        }

        static let cues: [StaticString] = [
            "answer", "result", "total", "profit", "earning", "earnings", "salary", "cost", "price", "value", "amount",
            "time", "distance", "speed", "rate", "age", "percentage", "percent", "remaining", "left", "required",
            "needed",
        ]

        /// `re.fullmatch(r"\$?\s*number\s*\$?\s*\.?", line)` on the stripped line `r`: the group.
        func standalone(_ r: Range<Int>) -> Candidate? {
            var j = r.lowerBound
            if j < r.upperBound, s[j] == UInt8(ascii: "$") { j += 1 }
            while j < r.upperBound, isSpace(s[j]) { j += 1 }
            guard let e = number(at: j, limit: r.upperBound) else { return nil }
            var k = e
            while k < r.upperBound, isSpace(s[k]) { k += 1 }
            if k < r.upperBound, s[k] == UInt8(ascii: "$") { k += 1 }
            while k < r.upperBound, isSpace(s[k]) { k += 1 }
            if k < r.upperBound, s[k] == UInt8(ascii: ".") { k += 1 }
            return k == r.upperBound ? (e, j) : nil
        }
    }
}
