import Synchronization

/// The server-wide count of bytes held for clients: whole responses queued on their connections and the unread
/// bytes of event streams (docs/http.md, "Server-wide budget").
///
/// Past ``limit`` the HTTP layer refuses new work with 503 and `Retry-After`, and a stream whose client has
/// fallen behind by ``slowReaderBytes`` or more is aborted at its next send, so slow readers are cut before
/// anyone else is refused. Thread-safe (one atomic counter): streams add and remove bytes from the engine's and
/// the polling threads.
package final class HeldBytes: Sendable {
    /// Most bytes held before new work is refused (`--max-held-bytes`).
    package let limit: Int
    /// Bytes a stream may hold for its client before, with the server over its budget, it counts as a slow
    /// reader and is cut.
    package let slowReaderBytes: Int
    private let total = Atomic<Int>(0)

    /// 256 MiB: eight answers at the per-request bound, or 64 slow readers at the per-stream cap.
    package static let defaultLimit = 256 << 20

    package init(limit: Int = HeldBytes.defaultLimit, slowReaderBytes: Int = 64 << 10) {
        self.limit = max(1, limit)
        self.slowReaderBytes = slowReaderBytes
    }

    /// Bytes held now.
    package var current: Int { total.load(ordering: .relaxed) }

    /// Whether the server holds more than its budget.
    package var isOver: Bool { current > limit }

    /// Adds (or, negative, removes) held bytes.
    package func add(_ bytes: Int) {
        guard bytes != 0 else { return }
        total.add(bytes, ordering: .relaxed)
    }

    /// Whether a stream holding `buffered` bytes must be cut rather than take `more`: the server would pass its
    /// budget and this client is a slow reader.
    func cuts(buffered: Int, more: Int) -> Bool {
        buffered >= slowReaderBytes && current + more > limit
    }
}
