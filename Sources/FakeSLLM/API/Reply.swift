import MoECore

/// What a route handler gives back: a response now, one later, or a stream of server-sent events.
package enum Reply: Sendable {
    case now(HTTPResponse)
    case later(PendingResponse)
    case stream(EventStream)
}

/// A response that another thread (the engine) fills in later.
///
/// Thread-safe. The HTTP layer registers a waker with ``onReady(_:)`` (called once, on whatever thread fulfils
/// the response, or immediately if it is already there) and calls ``cancel()`` when the client goes away; the
/// producer registers what cancelling means with ``onCancel(_:)`` and calls ``fulfill(_:)`` once.
package final class PendingResponse: Sendable {
    private struct State {
        var response: HTTPResponse?
        var waker: (@Sendable () -> Void)?
    }
    private let state = Locked(State())
    private let cancellation = CancellationHook()

    package init() {}

    /// The response, once fulfilled.
    package var response: HTTPResponse? { state.withLock { $0.response } }

    /// Sets the response (first call wins) and wakes the waiter.
    package func fulfill(_ response: HTTPResponse) {
        let waker: (@Sendable () -> Void)? = state.withLock { s in
            guard s.response == nil else { return nil }
            s.response = response
            defer { s.waker = nil }
            return s.waker
        }
        waker?()
    }

    /// Registers the waker; runs it at once when the response is already there.
    package func onReady(_ waker: @escaping @Sendable () -> Void) {
        let ready = state.withLock { s -> Bool in
            if s.response != nil { return true }
            s.waker = waker
            return false
        }
        if ready { waker() }
    }

    /// Registers what to do when the client disconnects before the response is ready.
    package func onCancel(_ handler: @escaping @Sendable () -> Void) { cancellation.register(handler) }

    /// The client went away: runs the cancel handler once (only if no response was produced yet), and drops the
    /// waker (it holds the waiting connection).
    package func cancel() {
        let pending = state.withLock { s -> Bool in
            s.waker = nil
            return s.response == nil
        }
        if pending { cancellation.fire() }
    }
}

/// A byte stream (SSE) produced by the engine and drained by the HTTP layer.
///
/// Thread-safe. Producers call ``send(_:)`` and ``finish()``; the HTTP layer calls ``read(into:)`` and, when it
/// returns `.wouldBlock`, waits for the waker registered with ``read(into:waker:)``.
///
/// Back-pressure (docs/http.md, "Limits"): the HTTP layer caps the bytes a stream may hold for a client that
/// does not read (``limitBuffer(to:)``). A send past the cap drops the buffer, cancels the producer (as a hang-up
/// would) and makes the next read return `.aborted`, so a stalled client costs at most the cap.
///
/// A stream can also be *pulled* (``init(status:contentType:pull:)``): when its buffer is empty the reader asks
/// the source for the next piece, on the reader's thread, so a large body is never held whole in memory.
package final class EventStream: Sendable {
    /// Outcome of a read.
    package enum ReadResult: Equatable, Sendable {
        case bytes(Int)
        case wouldBlock
        case end
        /// The stream overflowed its buffer limit: close the connection without ending the body.
        case aborted
    }

    private struct State {
        var buffer: [UInt8] = []
        var offset = 0
        var finished = false
        var cancelled = false
        var overflowed = false
        var limit = Int.max
        var waker: (@Sendable () -> Void)?
        /// The server-wide count this stream's unread bytes are part of, and how many it has counted there.
        var held: HeldBytes?
        var counted = 0

        /// Brings the server-wide count in line with the unread bytes.
        mutating func recount() {
            guard let held else { return }
            let unread = buffer.count - offset
            held.add(unread - counted)
            counted = unread
        }
    }
    private let state = Locked(State())
    private let cancellation = CancellationHook()
    private let pull: (@Sendable () -> [UInt8]?)?

    /// HTTP status and content type sent before the first byte.
    package let status: Int
    package let contentType: String
    private let extraHeaders = Locked<[(String, String)]>([])

    /// Headers sent with the status, besides the content type; set them before the stream is handed over.
    package var headers: [(String, String)] { extraHeaders.withLock { $0 } }
    func addHeader(_ name: String, _ value: String) { extraHeaders.withLock { $0.append((name, value)) } }

    package init(status: Int = 200, contentType: String = "text/event-stream; charset=utf-8") {
        self.status = status
        self.contentType = contentType
        pull = nil
    }

    /// A stream whose bytes come from `pull`, called on the reader's thread whenever the buffer is empty; nil
    /// ends the stream.
    package init(status: Int = 200, contentType: String, pull: @escaping @Sendable () -> [UInt8]?) {
        self.status = status
        self.contentType = contentType
        self.pull = pull
    }

    /// Caps the bytes held for the reader, and counts them in the server-wide `held` (set by the HTTP layer
    /// before the first read).
    package func limitBuffer(to bytes: Int, held: HeldBytes? = nil) {
        state.withLock { s in
            s.limit = max(1, bytes)
            s.held = held
            s.recount()
        }
    }

    /// Whether the stream was aborted for holding more than its limit.
    package var overflowed: Bool { state.withLock { $0.overflowed } }

    /// Appends bytes and wakes the reader; past the buffer limit, aborts the stream instead.
    package func send(_ bytes: [UInt8]) {
        let (waker, overflow) = state.withLock { s -> ((@Sendable () -> Void)?, Bool) in
            guard !s.finished, !s.cancelled else { return (nil, false) }
            let unread = s.buffer.count - s.offset
            if unread + bytes.count > s.limit || s.held?.cuts(buffered: unread, more: bytes.count) == true {
                s.overflowed = true
                s.cancelled = true
                s.buffer = []
                s.offset = 0
                s.recount()
                defer { s.waker = nil }
                return (s.waker, true)
            }
            s.buffer.append(contentsOf: bytes)
            s.recount()
            defer { s.waker = nil }
            return (s.waker, false)
        }
        if overflow { cancellation.fire() }
        waker?()
    }

    /// Ends the stream after the buffered bytes.
    package func finish() {
        let waker = state.withLock { s -> (@Sendable () -> Void)? in
            s.finished = true
            defer { s.waker = nil }
            return s.waker
        }
        waker?()
    }

    /// Copies buffered bytes into `out`. When nothing is buffered and the stream is open, stores `waker`
    /// (called once when data or the end arrives) and returns `.wouldBlock`; `arm` runs under the stream's lock
    /// before that, so a producer cannot slip in between the check and the wait.
    package func read(
        into out: UnsafeMutableRawBufferPointer, waker: (@Sendable () -> Void)? = nil, arm: () -> Void = {}
    ) -> ReadResult {
        state.withLock { s in
            if s.overflowed { return .aborted }
            if s.buffer.count == s.offset, !s.finished, !s.cancelled, let pull {
                if let next = pull() {
                    s.buffer = next
                    s.offset = 0
                } else {
                    s.finished = true
                }
            }
            let available = s.buffer.count - s.offset
            if available > 0 {
                let n = min(available, out.count)
                s.buffer.withUnsafeBytes { src in
                    out.baseAddress!.copyMemory(from: src.baseAddress! + s.offset, byteCount: n)
                }
                s.offset += n
                if s.offset == s.buffer.count {
                    s.buffer.removeAll(keepingCapacity: true)
                    s.offset = 0
                }
                s.recount()
                return .bytes(n)
            }
            if s.finished || s.cancelled { return .end }
            arm()
            s.waker = waker
            return .wouldBlock
        }
    }

    /// Everything buffered so far, consumed (for tests).
    func drain() -> (bytes: [UInt8], finished: Bool) {
        state.withLock { s in
            var out = Array(s.buffer[s.offset...])
            if let pull, !s.finished, !s.cancelled {
                while let next = pull() { out += next }
                s.finished = true
            }
            s.buffer.removeAll()
            s.offset = 0
            s.recount()
            return (out, s.finished)
        }
    }

    var isFinished: Bool { state.withLock { $0.finished } }

    /// Registers what to do when the client disconnects.
    package func onCancel(_ handler: @escaping @Sendable () -> Void) { cancellation.register(handler) }

    /// The client went away: stop producing (unless the stream already ended), drop the buffer and the waker.
    package func cancel() {
        let live = state.withLock { s -> Bool in
            s.waker = nil
            guard !s.cancelled, !s.finished else {
                s.buffer = []
                s.offset = 0
                s.recount()
                return false
            }
            s.cancelled = true
            s.buffer = []
            s.offset = 0
            s.recount()
            return true
        }
        if live { cancellation.fire() }
    }
}

/// A one-shot cancellation callback: registered by the producer, fired at most once by the HTTP layer; a handler
/// registered after firing runs at once. Thread-safe.
final class CancellationHook: Sendable {
    private let state = Locked<(fired: Bool, handler: (@Sendable () -> Void)?)>((false, nil))

    func register(_ handler: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { s -> Bool in
            if s.fired { return true }
            s.handler = handler
            return false
        }
        if runNow { handler() }
    }

    func fire() {
        let handler = state.withLock { s -> (@Sendable () -> Void)? in
            guard !s.fired else { return nil }
            s.fired = true
            defer { s.handler = nil }
            return s.handler
        }
        handler?()
    }
}
