import Synchronization

/// Lets a closed loop's requests onto the wire in index order, at most ``limit`` at once, each the moment an
/// earlier one is answered (docs/evaluator.md "Flow").
///
/// A request carries its ``Turn`` (``HTTPRequest/turn``); the client holds it until every lower index has gone
/// and fewer than ``limit`` of the gate's requests are on the wire. The next one is let go on the client's own
/// transfer thread, in the same turn of its loop that collected the answer, so it does not wait for the awaiting
/// task to run, read the answer and hand a new request over: a server that waits for a closed loop's next request
/// (fake-sllm's arrival holds, docs/serving.md "Reproducible arrivals") waits one network round trip, not the
/// client's bookkeeping too. The caller hands requests over ahead of their turn (up to ``limit`` more than are on
/// the wire) so the next one is already there.
///
/// A request sent again (a retry) after its turn has gone passes without waiting. A cancelled request that had
/// not gone yet gives up its turn. Threading: an identity with a fixed limit; the client keeps the state.
package final class ClosedLoopGate: Sendable {
    /// Most of the gate's requests on the wire at once.
    package let limit: Int

    package init(limit: Int) { self.limit = max(1, limit) }

    /// A request's place in its gate's order.
    package struct Turn: Sendable, Equatable {
        package let gate: ClosedLoopGate
        /// The request's index in the loop (0-based; each index once).
        package let index: Int
        /// When the gate let the request go (its first attempt, if it is retried); set by the client.
        package let released = ReleaseInstant()

        package init(gate: ClosedLoopGate, index: Int) {
            self.gate = gate
            self.index = index
        }

        package static func == (a: Turn, b: Turn) -> Bool { a.gate === b.gate && a.index == b.index }
    }
}

/// The instant a gate let a request go, set once by the client's transfer thread. Any thread.
package final class ReleaseInstant: Sendable {
    private let value = Mutex<ContinuousClock.Instant?>(nil)

    /// The instant, once the request has gone.
    package var instant: ContinuousClock.Instant? { value.withLock { $0 } }

    /// Sets the instant unless it is set already.
    package func stampOnce(_ now: ContinuousClock.Instant) { value.withLock { $0 = $0 ?? now } }
}

/// The client's side of one ``ClosedLoopGate``: the requests it holds, the next index to let go, and how many
/// are on the wire. Owned by the transfer thread (a class, so the thread's table updates it in place).
final class GateQueue<Element> {
    /// Kept so its identity (the client's key for this queue) cannot be reused while the queue exists.
    let gate: ClosedLoopGate
    var limit: Int { gate.limit }
    /// The next index to let go.
    private(set) var next = 0
    /// Requests let go and not yet finished.
    private(set) var onWire = 0
    private var held: [Int: Element] = [:]
    /// Indices given up (cancelled before their turn).
    private var skipped: Set<Int> = []

    init(gate: ClosedLoopGate) { self.gate = gate }

    /// Whether `index`'s turn has already gone (the request is being sent again).
    func hasGone(_ index: Int) -> Bool { index < next }

    func hold(_ element: Element, at index: Int) { held[index] = element }

    /// The requests whose turn comes now, in order (each counted on the wire).
    func release() -> [Element] {
        var out: [Element] = []
        while onWire < limit {
            if let t = held.removeValue(forKey: next) {
                out.append(t)
                onWire += 1
            } else if skipped.remove(next) == nil {
                break
            }
            next += 1
        }
        return out
    }

    /// A request that was let go finished.
    func finished() { onWire -= 1 }

    /// Takes back a request that has not gone yet (cancelled): its index is skipped. Returns whether it was held.
    func withdraw(_ index: Int) -> Bool {
        guard held.removeValue(forKey: index) != nil else { return false }
        skip(index)
        return true
    }

    /// `index` will not come (its request was cancelled before it was handed in).
    func skip(_ index: Int) {
        if index >= next { skipped.insert(index) }
    }

    /// Every request still held (at shutdown).
    func takeAll() -> [Element] {
        defer { held.removeAll() }
        return Array(held.values)
    }
}
