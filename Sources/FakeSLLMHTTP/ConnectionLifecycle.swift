/// The life of one request on one connection, as one explicit state machine (docs/http.md, "Lifecycle").
///
/// ```
///  accepted ──headers──▶ reading ──body complete──▶ dispatched ──answer──▶ replying ──sent──▶ done
///     │                    │                           │       └─stream──▶ streaming ─ended─▶ done
///     └─rejected at the headers (400/401/413/503, then close)──▶ replying
///  any phase before done ──client gone / timeout / error──▶ aborted
/// ```
///
/// A pure value: no sockets, no C. ``ConnectionContext`` keeps one behind its lock and performs what the
/// transitions return (suspend or resume the connection, cancel the work). The rules it enforces:
///
/// - A connection is suspended only while `dispatched` (waiting for the handler or the engine) or `streaming`
///   (waiting for the next event), and only once at a time.
/// - It is resumed only if it is suspended and libmicrohttpd has not yet sent the completion notice (after the
///   notice the connection pointer is dead).
/// - Work is cancelled once, when the request ends in `aborted` before its answer was complete.
///
/// A transition asked for in a phase that does not allow it is a bug in the callbacks: it stops a debug build
/// (`assertionFailure`, naming the transition and the state, as swift-nio's state machines do) and is ignored in
/// a release build. `aborted` is the exception: another thread may abort a request at any moment, so the
/// polling thread's next step finds it aborted, and that step is ignored quietly.
struct ConnectionLifecycle: Sendable, Equatable {
    enum Phase: Sendable, Equatable {
        /// The access handler saw the request line and headers for the first time.
        case accepted
        /// The body is arriving.
        case reading
        /// The handler runs, or its answer is being produced elsewhere (engine, worker thread).
        case dispatched
        /// A complete response is queued.
        case replying
        /// An event stream is being written.
        case streaming
        /// Sent in full (completion notice with success).
        case done
        /// The client went away, a timeout or error closed the connection, or the server gave it up.
        case aborted
    }

    private(set) var phase = Phase.accepted
    /// libmicrohttpd holds the connection suspended.
    private(set) var suspended = false
    /// The completion notice has run: the connection pointer must not be used any more.
    private(set) var released = false

    var isTerminal: Bool { phase == .done || phase == .aborted }

    /// Headers accepted: the body (if any) follows.
    mutating func startReading() {
        move("startReading()", from: [.accepted], to: .reading)
    }

    /// Answered at the headers (bad framing, no access, too large, overloaded); the body is discarded.
    mutating func reject() {
        move("reject()", from: [.accepted, .reading], to: .replying)
    }

    /// The request is complete and handed to the handler.
    mutating func dispatch() {
        move("dispatch()", from: [.reading], to: .dispatched)
    }

    /// The answer is queued: a whole response or a stream.
    mutating func answer(streaming: Bool) {
        move("answer(streaming: \(streaming))", from: [.dispatched, .reading], to: streaming ? .streaming : .replying)
    }

    private mutating func move(_ transition: @autoclosure () -> String, from: [Phase], to next: Phase) {
        if from.contains(phase) {
            phase = next
        } else if phase != .aborted {
            assertionFailure("ConnectionLifecycle.\(transition()) in state \(self)")
        }
    }

    /// Whether the connection may be suspended now; marks it suspended when so.
    mutating func suspend() -> Bool {
        guard !suspended, !released, phase == .dispatched || phase == .streaming else { return false }
        suspended = true
        return true
    }

    /// Whether the connection must be resumed now; marks it running when so.
    mutating func resume() -> Bool {
        guard suspended, !released else { return false }
        suspended = false
        return true
    }

    /// The client hung up, a deadline passed, or shutdown gave up on it. Returns whether the work must be
    /// cancelled (the request had not finished).
    mutating func abort() -> Bool {
        guard !isTerminal else { return false }
        phase = .aborted
        return true
    }

    /// libmicrohttpd's completion notice. Returns whether the work must be cancelled (an abnormal end before
    /// the answer was complete).
    mutating func complete(ok: Bool) -> Bool {
        if released { assertionFailure("ConnectionLifecycle.complete(ok: \(ok)) in state \(self)") }
        released = true
        suspended = false
        if isTerminal { return false }
        phase = ok ? .done : .aborted
        return !ok
    }
}
