/// Python `str` whitespace semantics, for the places where MoE-CAP's loaders call `.strip()` or match `\s`.
extension Unicode.Scalar {
    /// `str.isspace()` for one character, which is also what `\s` matches in a Python `str` pattern.
    var isPythonWhitespace: Bool {
        switch value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }
}

extension StringProtocol {
    /// Python's `str.strip()` with no argument.
    func trimmingPythonWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isPythonWhitespace }),
            let last = scalars.lastIndex(where: { !$0.isPythonWhitespace })
        else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
