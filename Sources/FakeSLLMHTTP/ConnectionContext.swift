import CMicroHTTPD
import FakeSLLM
import Glibc
import MoECore

/// One request on one connection: its ``ConnectionLifecycle``, its body and its answer.
///
/// Threading: created on a polling thread by the access handler, which alone touches `body`, `bodyTooLarge` and
/// `headersAt`. Everything other threads reach (the lifecycle, the reply) sits behind `lock`. The engine, a
/// handler worker, the disconnect watcher and shutdown call ``resume()``, ``abort()`` and ``setReply(_:)`` from
/// their own threads; suspend and resume are paired under the lock, so libmicrohttpd is never asked to resume
/// a connection that is not suspended (a released one in particular).
final class ConnectionContext: @unchecked Sendable {
    let connection: OpaquePointer
    let method: String
    let path: String
    /// The polling thread that accepted the connection (libmicrohttpd keeps a connection on one thread).
    private let pollingThread = ThreadOwner()
    private var _body: [UInt8] = []
    private var _bodyTooLarge = false
    /// Polling thread only (checked in debug builds).
    var body: [UInt8] {
        get {
            pollingThread.assertOwner("ConnectionContext.body")
            return _body
        }
        _modify {
            pollingThread.assertOwner("ConnectionContext.body")
            yield &_body
        }
    }
    /// Polling thread only (checked in debug builds).
    var bodyTooLarge: Bool {
        get {
            pollingThread.assertOwner("ConnectionContext.bodyTooLarge")
            return _bodyTooLarge
        }
        _modify {
            pollingThread.assertOwner("ConnectionContext.bodyTooLarge")
            yield &_bodyTooLarge
        }
    }
    /// The request's headers as the access handler first saw them, until the dispatch (polling thread only).
    var headers: [(String, String)] = []
    /// Bytes of this request's queued response counted in the server's ``HeldBytes`` (polling thread only).
    var heldBytes = 0

    private struct Shared {
        var lifecycle = ConnectionLifecycle()
        var reply: Reply?
        /// Where the request's transit is reported, and whether it is a control call.
        var activity: TransportActivity?
        var isControl = false
        /// Suspended to wait on an engine, as reported to `activity`.
        var waitingReported = false
        /// Refused at the headers: whatever body follows is only discarded.
        var refused = false
        /// The watcher saw the peer half-closed with nothing left to read (``closeIfHalfClosedMidBody(_:)``).
        var halfClosedSeen = false
    }
    private let lock = Locked(Shared())

    init(connection: OpaquePointer, method: String, path: String) {
        self.connection = connection
        self.method = method
        self.path = path
        pollingThread.claim()
    }

    var phase: ConnectionLifecycle.Phase { lock.withLock { $0.lifecycle.phase } }
    var isAborted: Bool { phase == .aborted }

    /// The handler's answer, once there is one.
    var reply: Reply? { lock.withLock { $0.reply } }

    /// Stores the handler's answer; an answer that arrives after the request was aborted is cancelled at once.
    func setReply(_ reply: Reply) {
        let aborted = lock.withLock { s in
            s.reply = reply
            return s.lifecycle.phase == .aborted
        }
        if aborted { Self.cancel(reply) }
    }

    func startReading() { lock.withLock { $0.lifecycle.startReading() } }
    func reject() {
        lock.withLock { s in
            s.lifecycle.reject()
            s.refused = true
        }
    }
    func dispatch() { lock.withLock { $0.lifecycle.dispatch() } }
    func answered(streaming: Bool) { lock.withLock { $0.lifecycle.answer(streaming: streaming) } }

    /// Reports this request to `activity` from now on: it is in transit (its headers just arrived).
    func report(to activity: TransportActivity, atWall wall: Double) {
        let isControl = activity.requestStarted(method: method, path: path, atWall: wall)
        lock.withLock { s in
            s.activity = activity
            s.isControl = isControl
        }
    }

    /// Suspends the connection (access handler or content reader only, as libmicrohttpd requires).
    /// `waitsOnEngine`: the answer comes from an engine (not from a handler worker), so the request is no
    /// longer in transit meanwhile (``TransportActivity``).
    func suspend(waitsOnEngine: Bool = true) {
        lock.withLock { s in
            guard s.lifecycle.suspend() else { return }
            if waitsOnEngine, let activity = s.activity {
                s.waitingReported = true
                activity.requestWaiting()
            }
            MHD_suspend_connection(connection)
        }
    }

    /// Resumes the connection if it is suspended; any thread.
    func resume() {
        lock.withLock { s in
            guard s.lifecycle.resume() else { return }
            if s.waitingReported {
                s.waitingReported = false
                s.activity?.requestResumed()
            }
            MHD_resume_connection(connection)
        }
    }

    /// The socket of a suspended, live connection, for the disconnect watcher (read under the lock, so the
    /// connection cannot be released meanwhile).
    var socketIfSuspended: Int32? {
        lock.withLock { s in
            s.lifecycle.suspended && !s.lifecycle.isTerminal ? shim_mhd_connection_fd(connection) : nil
        }
    }

    /// The connection's socket while it is live (not yet released), for socket options and diagnostics.
    var socket: Int32? {
        lock.withLock { s in s.lifecycle.released ? nil : shim_mhd_connection_fd(connection) }
    }

    /// The client went away, or the server gives up on the request: cancel the work, and resume the connection
    /// so libmicrohttpd closes it (the access handler and the content reader refuse an aborted request).
    func abort() {
        let (cancel, reply) = lock.withLock { s in (s.lifecycle.abort(), s.reply) }
        if cancel { Self.cancel(reply) }
        resume()
    }

    /// A stream that overflowed its buffer limit (its client does not read) is aborted and its socket shut down,
    /// so libmicrohttpd, which would otherwise wait for the socket to drain until the idle timeout, closes it now.
    /// Watcher thread. Returns whether it did.
    func closeIfOverflowed() -> Bool {
        // The stream's lock is never taken inside this one (the reader takes them in the other order).
        guard case .stream(let s) = reply, s.overflowed else { return false }
        let fd = lock.withLock { s -> Int32? in
            guard !s.lifecycle.released, s.lifecycle.abort() else { return nil }
            return shim_mhd_connection_fd(connection)
        }
        guard let fd else { return false }
        if fd >= 0 { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
        resume()
        return true
    }

    /// The socket of a request still waiting for body bytes (reading, or refused at the headers with a body to
    /// discard), for the watcher's half-close check.
    var socketIfAwaitingBody: Int32? {
        lock.withLock { s in
            guard !s.lifecycle.released, !s.lifecycle.isTerminal,
                s.lifecycle.phase == .reading || (s.lifecycle.phase == .replying && s.refused)
            else { return nil }
            return shim_mhd_connection_fd(connection)
        }
    }

    /// A client that half-closed its side with a body still owed can never complete it: the watcher, having seen
    /// that on two passes in a row (so a body whose last bytes libmicrohttpd has just read is not cut), aborts the
    /// request and shuts the socket down instead of waiting for the body deadline (docs/http.md, "Timeouts").
    /// `halfClosed` says what this pass saw. Watcher thread. Returns whether it closed the connection.
    func closeIfHalfClosedMidBody(_ halfClosed: Bool) -> Bool {
        let fd = lock.withLock { s -> Int32? in
            guard halfClosed else {
                s.halfClosedSeen = false
                return nil
            }
            guard s.halfClosedSeen else {
                s.halfClosedSeen = true
                return nil
            }
            guard !s.lifecycle.released, s.lifecycle.phase == .reading || s.refused else { return nil }
            _ = s.lifecycle.abort()
            return shim_mhd_connection_fd(connection)
        }
        guard let fd else { return false }
        if fd >= 0 { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
        return true
    }

    /// Server shutdown: streams end after what they hold, pending answers become 503.
    func endForShutdown() {
        switch reply {
        case .later(let p): p.fulfill(.detail("Server is shutting down", status: 503))
        case .stream(let s): s.finish()
        case .now, nil: break
        }
    }

    /// libmicrohttpd's completion notice; after it the connection pointer is dead. The reply is dropped here:
    /// its waker (a closure that resumes this context) would otherwise keep the context, the stream and its
    /// buffer alive in a cycle whenever the answer never came (a hang-up before the end).
    func completed(ok: Bool) {
        let (cancel, reply) = lock.withLock { s in
            let r = s.reply
            s.reply = nil
            if let activity = s.activity {
                activity.requestEnded(atWall: monotonicSeconds(), waiting: s.waitingReported, control: s.isControl)
                s.activity = nil
                s.waitingReported = false
            }
            return (s.lifecycle.complete(ok: ok), r)
        }
        if cancel { Self.cancel(reply) }
    }

    private static func cancel(_ reply: Reply?) {
        switch reply {
        case .later(let p): p.cancel()
        case .stream(let s): s.cancel()
        case .now, nil: break
        }
    }
}
