/// Foundation's `CharacterSet.whitespaces` (tab and the space separators, category Zs), for trimming without
/// Foundation's `NSString` bridging (it ran once or twice per answer).
enum FoundationWhitespace {
    /// `text.trimmingCharacters(in: .whitespaces)`.
    static func trimmed(_ text: String) -> Substring {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isWhitespace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isWhitespace($0) })!
        return Substring(scalars[first...last])
    }

    static func isWhitespace(_ u: Unicode.Scalar) -> Bool {
        u == "\t" || u == " " || (u.value >= 0x80 && u.properties.generalCategory == .spaceSeparator)
    }
}
