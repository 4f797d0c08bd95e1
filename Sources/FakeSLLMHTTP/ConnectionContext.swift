import CMicroHTTPD
import FakeSLLM
import SimEngine
import Synchronization

/// The state of one request on one connection, from its headers to the completion notice.
///
/// Created and mostly used on the connection's polling thread. The parts other threads touch (suspension, the
/// client-gone flag) sit behind `lock`: `suspend` and `resume` are paired under it, so libmicrohttpd is never
/// asked to resume a connection that is not suspended (a freed one in particular).
final class ConnectionContext: @unchecked Sendable {
    let connection: OpaquePointer
    let method: String
    let path: String
    var body: [UInt8] = []
    var bodyTooLarge = false

    private struct Shared {
        var suspended = false
        var clientGone = false
        var finished = false
        /// Set once on the polling thread; read by the watcher and by shutdown too.
        var reply: Reply?
    }
    private let lock = Mutex(Shared())

    init(connection: OpaquePointer, method: String, path: String) {
        self.connection = connection
        self.method = method
        self.path = path
    }

    /// Suspends the connection until ``resume()``. Call only from the access handler or the content reader.
    func suspend() {
        lock.withLock { s in
            guard !s.suspended, !s.finished else { return }
            s.suspended = true
            MHD_suspend_connection(connection)
        }
    }

    /// Resumes the connection if it is suspended; any thread.
    func resume() {
        lock.withLock { s in
            guard s.suspended else { return }
            s.suspended = false
            MHD_resume_connection(connection)
        }
    }

    /// The handler's answer, once there is one.
    var reply: Reply? {
        get { lock.withLock { $0.reply } }
        set { lock.withLock { $0.reply = newValue } }
    }

    var isSuspended: Bool { lock.withLock { $0.suspended } }
    var clientGone: Bool { lock.withLock { $0.clientGone } }

    /// The socket of a suspended connection, for the disconnect watcher.
    var socketIfSuspended: Int32? {
        lock.withLock { s in s.suspended && !s.clientGone ? shim_mhd_connection_fd(connection) : nil }
    }

    /// The peer closed its side: cancel the work and let libmicrohttpd close the connection.
    func clientDisconnected() {
        lock.withLock { $0.clientGone = true }
        cancelReply()
        resume()
    }

    func cancelReply() {
        switch reply {
        case .later(let p): p.cancel()
        case .stream(let s): s.cancel()
        case .now, nil: break
        }
    }

    /// Server shutdown: streams end after what they hold, pending answers become 503.
    func endForShutdown() {
        switch reply {
        case .later(let p): p.fulfill(.detail("Server is shutting down", status: 503))
        case .stream(let s): s.finish()
        case .now, nil: break
        }
    }

    /// Last step of shutdown: no more waiting on this connection.
    func abandon() {
        lock.withLock { $0.clientGone = true }
        cancelReply()
        resume()
    }

    /// Called from the completion notice; after this the connection pointer is dead.
    func finished() {
        lock.withLock { s in
            s.finished = true
            s.suspended = false
        }
    }
}
