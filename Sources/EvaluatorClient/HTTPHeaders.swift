/// An ordered list of HTTP header fields with case-insensitive lookup.
///
/// Order and repeated names are kept as sent or received. A value type: `Sendable`, safe to share.
package struct HTTPHeaders: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// The fields in order.
    package private(set) var fields: [(name: String, value: String)]

    package init() { fields = [] }

    package init(_ fields: [(String, String)]) { self.fields = fields.map { (name: $0.0, value: $0.1) } }

    package init(dictionaryLiteral elements: (String, String)...) { self.init(elements) }

    /// Appends a field, keeping any earlier field of the same name.
    package mutating func add(name: String, value: String) { fields.append((name, value)) }

    /// The first value of `name` (compared case-insensitively), or nil.
    package subscript(name: String) -> String? {
        fields.first { Self.sameName($0.name, name) }?.value
    }

    /// Every value of `name` in order (compared case-insensitively).
    package func values(for name: String) -> [String] {
        fields.filter { Self.sameName($0.name, name) }.map(\.value)
    }

    package var isEmpty: Bool { fields.isEmpty }

    package static func == (a: HTTPHeaders, b: HTTPHeaders) -> Bool {
        a.fields.count == b.fields.count
            && zip(a.fields, b.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    /// Names are ASCII tokens on the wire: compared byte by byte with ASCII case folding, without allocating
    /// (a name with any other byte falls back to `lowercased()`, the same answer for ASCII).
    private static func sameName(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        for (x, y) in zip(a.utf8, b.utf8) {
            if x >= 0x80 || y >= 0x80 { return a.lowercased() == b.lowercased() }
            if x != y, asciiLower(x) != asciiLower(y) { return false }
        }
        return true
    }

    @inline(__always) private static func asciiLower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
}
