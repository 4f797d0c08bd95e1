import MoECore
import Synchronization

/// What the HTTP layer knows about requests on their way in, read by the deployment hosts: whether an arrival can
/// still come while the clock holds for one (docs/serving.md "Reproducible arrivals"), and how much wall time the
/// server spent on control calls, which must not pass as simulated idle time (docs/serving.md "Idle time and
/// control calls").
///
/// The HTTP layer reports every connection it opens and every request from its headers to the moment its answer
/// is sent in full; a request that waits on an engine (its connection suspended) is not *in transit*. Nothing
/// here knows about sockets or libmicrohttpd. Thread-safe: reports come from polling and engine threads, reads
/// from host threads. Times are monotonic wall seconds.
package final class TransportActivity: Sendable {
    /// Requests received, being handled or being answered, less those waiting on an engine.
    private let transit = Atomic<Int>(0)
    /// The bit pattern of the last wall moment a connection opened, a request line came in or an answer was sent.
    private let lastEvent = Atomic<UInt64>((-Double.infinity).bitPattern)
    private struct Control {
        var open = 0
        var since = 0.0
        var total = 0.0
    }
    private let control = Locked(Control())
    private let probe = Locked<(@Sendable () -> Bool)?>(nil)
    private struct Reactions {
        /// When each kept-alive connection (by key) was last sent an answer in full.
        var answeredAt: [UInt: Double] = [:]
        /// The latest reaction times (answer sent → next request line on the same connection), a ring.
        var recent: [Double] = []
        var next = 0
    }
    private let reactions = Locked(Reactions())
    /// How many reactions ``slowestRecentReaction`` looks back over.
    static let reactionMemory = 64

    package init() {}

    /// Installs the transport's look into the kernel: whether input waits there unread (a request sent on a
    /// connection waiting for one, a connection not yet accepted), which a starved polling thread has not
    /// reported yet. The HTTP server installs it when it starts listening.
    package func setUnreadInputProbe(_ probe: @escaping @Sendable () -> Bool) { self.probe.withLock { $0 = probe } }

    // MARK: The HTTP layer's reports

    /// A client opened a connection (it may send a request on it), at wall moment `wall`.
    package func connectionOpened(atWall wall: Double) { noteEvent(wall) }

    /// A request line came in on connection `connection` (any key that tells open connections apart), at wall
    /// moment `wall` (its headers follow). When the connection was answered before, the gap is a client's reaction.
    package func requestLineSeen(connection: UInt, atWall wall: Double) {
        noteEvent(wall)
        reactions.withLock { r in
            guard let answered = r.answeredAt.removeValue(forKey: connection) else { return }
            let reaction = max(0, wall - answered)
            if r.recent.count < Self.reactionMemory {
                r.recent.append(reaction)
            } else {
                r.recent[r.next] = reaction
            }
            r.next = (r.next + 1) % Self.reactionMemory
        }
    }

    /// Connection `connection` was sent an answer in full at wall moment `wall` and stays open.
    package func connectionAnswered(_ connection: UInt, atWall wall: Double) {
        reactions.withLock { $0.answeredAt[connection] = wall }
    }

    /// Connection `connection` closed.
    package func connectionClosed(_ connection: UInt) {
        _ = reactions.withLock { $0.answeredAt.removeValue(forKey: connection) }
    }

    /// A request's headers arrived: it is in transit until it waits on an engine or its answer is sent.
    /// Returns whether it is a control call (anything but a generation), to be passed back to ``requestEnded``.
    package func requestStarted(method: String, path: String, atWall wall: Double) -> Bool {
        transit.add(1, ordering: .sequentiallyConsistent)
        noteEvent(wall)
        let isControl = !Self.isGeneration(method: method, path: path)
        if isControl {
            control.withLock { c in
                if c.open == 0 { c.since = wall }
                c.open += 1
            }
        }
        return isControl
    }

    /// The request now waits on an engine (its connection suspended until the engine answers).
    package func requestWaiting() { transit.subtract(1, ordering: .sequentiallyConsistent) }

    /// The engine answered (or the wait ended otherwise): the request is in transit again.
    package func requestResumed() { transit.add(1, ordering: .sequentiallyConsistent) }

    /// The request's answer was sent in full, or the request ended otherwise, at wall moment `wall`. `waiting`:
    /// it was waiting (reported by ``requestWaiting()`` and not resumed) when it ended.
    package func requestEnded(atWall wall: Double, waiting: Bool, control isControl: Bool) {
        if !waiting { transit.subtract(1, ordering: .sequentiallyConsistent) }
        noteEvent(wall)
        if isControl {
            control.withLock { c in
                c.open -= 1
                if c.open == 0 { c.total += max(0, wall - c.since) }
            }
        }
    }

    // MARK: The hosts' reads

    /// Requests in transit now: received but not yet handed to an engine, or answered but not yet sent.
    package var requestsInTransit: Int { transit.load(ordering: .sequentiallyConsistent) }

    /// The last wall moment a connection opened, a request line came in or an answer was sent in full.
    package var lastEventWall: Double { Double(bitPattern: lastEvent.load(ordering: .sequentiallyConsistent)) }

    /// The slowest of the latest reactions seen (wall seconds from an answer sent in full to the next request line
    /// on the same connection), 0 before any: how long the clients of this server take to answer a completion.
    package var slowestRecentReaction: Double { reactions.withLock { $0.recent.max() ?? 0 } }

    /// Whether input waits unread in the kernel (``setUnreadInputProbe(_:)``); false without a probe. A system
    /// call: ask only when nothing else says an arrival can come.
    package var hasUnreadInput: Bool { probe.withLock { $0 }?() ?? false }

    /// Wall seconds, up to wall moment `wall`, during which at least one control call was in progress.
    package func controlBusyTime(atWall wall: Double) -> Double {
        control.withLock { c in c.total + (c.open > 0 ? max(0, wall - c.since) : 0) }
    }

    /// Whether a request goes to an engine: the generation routes of both APIs.
    static func isGeneration(method: String, path: String) -> Bool {
        method == "POST"
            && (path == "/v1/chat/completions" || path == "/v1/completions" || path == "/v1/embeddings")
    }

    private func noteEvent(_ wall: Double) {
        var old = lastEvent.load(ordering: .relaxed)
        while Double(bitPattern: old) < wall {
            let (done, now) = lastEvent.compareExchange(
                expected: old, desired: wall.bitPattern, ordering: .sequentiallyConsistent)
            if done { return }
            old = now
        }
    }
}
