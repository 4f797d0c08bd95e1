import Foundation

/// A compiled regular expression with Python `re` semantics where they matter to MoE-CAP's extractors
/// (docs/moecap-metrics.md §11): ICU via `NSRegularExpression` (Python-style look-behind), `$`/`^` at `\n` only
/// (`useUnixLineSeparators`, as Python's MULTILINE), and `\s` widened to Python's `str.isspace` set. Offsets are
/// UTF-16, used consistently. Compiled once; `NSRegularExpression` is immutable and safe to share across threads.
struct PythonRegex: Sendable {
    private let regex: NSRegularExpression

    /// Python's `re.IGNORECASE` / `re.MULTILINE` flags.
    struct Flags: OptionSet, Sendable {
        let rawValue: Int
        static let ignoreCase = Flags(rawValue: 1)
        static let multiline = Flags(rawValue: 2)
    }

    /// A match: the whole range and the capture groups' ranges (NSNotFound location when a group did not take part).
    struct Match {
        let range: NSRange
        let groups: [NSRange]
    }

    /// Compiles `pattern` (Python syntax, the subset shared with ICU). `fullMatch` anchors it as `re.fullmatch`.
    /// The patterns are constants of this module, so a compile failure is a programming error.
    init(_ pattern: String, _ flags: Flags = [], fullMatch: Bool = false) {
        var options: NSRegularExpression.Options = [.useUnixLineSeparators]
        if flags.contains(.ignoreCase) { options.insert(.caseInsensitive) }
        if flags.contains(.multiline) { options.insert(.anchorsMatchLines) }
        var p = Self.pythonWhitespace(pattern)
        if fullMatch { p = #"\A(?:"# + p + #")\z"# }
        do {
            regex = try NSRegularExpression(pattern: p, options: options)
        } catch {
            preconditionFailure("invalid built-in pattern \(pattern): \(error)")
        }
    }

    /// `re.finditer(pattern, text)` on the whole of `text`.
    func allMatches(in text: NSString) -> [Match] {
        regex.matches(in: text as String, range: NSRange(location: 0, length: text.length)).map(Self.match)
    }

    /// `re.search(pattern, text)`.
    func firstMatch(in text: NSString) -> Match? {
        regex.firstMatch(in: text as String, range: NSRange(location: 0, length: text.length)).map(Self.match)
    }

    /// `re.sub(pattern, replacement, text)` with a literal replacement.
    func replacingMatches(in text: NSString, with replacement: String) -> String {
        regex.stringByReplacingMatches(
            in: text as String, range: NSRange(location: 0, length: text.length),
            withTemplate: NSRegularExpression.escapedTemplate(for: replacement))
    }

    private static func match(_ r: NSTextCheckingResult) -> Match {
        Match(range: r.range, groups: (0..<r.numberOfRanges).map { r.range(at: $0) })
    }

    /// Replaces each `\s` with a class of Python's whitespace: ICU's `\s` lacks `\x1c`–`\x1f`, which Python's
    /// `str` patterns include.
    static func pythonWhitespace(_ pattern: String) -> String {
        var out = ""
        var inClass = false
        var it = pattern.makeIterator()
        while let c = it.next() {
            if c == "\\" {
                guard let n = it.next() else {
                    out.append(c)
                    break
                }
                if n == "s" {
                    out += inClass ? #"\s\x{1C}-\x{1F}"# : #"[\s\x{1C}-\x{1F}]"#
                } else {
                    out.append(c)
                    out.append(n)
                }
                continue
            }
            if c == "[" { inClass = true }
            if c == "]" { inClass = false }
            out.append(c)
        }
        return out
    }
}
