/// The server's API key (`--api-key` or `FAKE_SLLM_API_KEY`): every route the route table does not open
/// (`/health` and `/metrics`: ``SLLMAPI/access(forPath:)``) requires `Authorization: Bearer <key>`, as
/// `vllm serve --api-key` does (docs/http.md, "Access").
///
/// The comparison takes the same time whatever the offered key, so the key cannot be guessed byte by byte.
package struct APIKey: Sendable {
    private let key: [UInt8]

    /// nil for an empty key (no protection).
    package init?(_ key: String) {
        guard !key.isEmpty else { return nil }
        self.key = Array(key.utf8)
    }

    /// Whether an `Authorization` header value carries the key.
    func accepts(authorization: String?) -> Bool {
        guard let authorization else { return false }
        let bytes = Array(authorization.utf8)
        let prefix = Array("Bearer ".utf8)
        guard bytes.count >= prefix.count, bytes[..<prefix.count].elementsEqual(prefix) else { return false }
        return Self.constantTimeEqual(Array(bytes[prefix.count...]), key)
    }

    /// Equal bytes, in time that depends only on the lengths.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff = UInt8(truncatingIfNeeded: a.count ^ b.count)
        if a.count != b.count { diff |= 1 }
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            diff |= x ^ y
        }
        return diff == 0
    }
}
