import CMicroHTTPD
import FakeSLLM
import Glibc
import MoECore
import SimEngine
import Synchronization

/// The route handler the server calls for each complete request.
///
/// Called on one of libmicrohttpd's polling threads: it must not block. Slow answers are given as
/// ``Reply/later(_:)`` or ``Reply/stream(_:)`` and completed from another thread.
public typealias HTTPHandler = @Sendable (HTTPRequest) -> Reply

/// Settings of the HTTP listener.
public struct HTTPServerOptions: Sendable {
    /// IPv4 address to bind (`0.0.0.0` for all interfaces).
    public var host = "127.0.0.1"
    /// TCP port; 0 picks a free one (read it back from ``HTTPServer/port``).
    public var port: UInt16 = 8500
    /// Largest request body accepted; larger ones get 413 with a JSON `detail`.
    public var maxBodyBytes = 32 << 20
    /// libmicrohttpd polling threads (epoll). Two suit a two-core machine.
    public var threads = 2
    /// Most simultaneous connections.
    public var connectionLimit = 16_384

    public init() {}
}

/// The server failed to start.
public struct HTTPServerError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// An HTTP/1.1 server on libmicrohttpd: epoll polling threads, suspended connections for answers the engine
/// produces later, SSE streams without a thread per stream, and client disconnects turned into cancellations.
///
/// This file and its siblings in `HTTP/` are the only code that touches libmicrohttpd. Thread-safe: `start`,
/// `stop` and `port` may be called from any thread.
public final class HTTPServer: Sendable {
    let handler: HTTPHandler
    let options: HTTPServerOptions
    private let daemon = Mutex<DaemonHandle?>(nil)
    /// Every request in flight, so shutdown can end them and the watcher can check their sockets.
    let live = Mutex<[ObjectIdentifier: ConnectionContext]>([:])
    private let watcher = Mutex<DisconnectWatcher?>(nil)
    let stopping = Atomic<Bool>(false)

    public init(options: HTTPServerOptions, handler: @escaping HTTPHandler) {
        self.options = options
        self.handler = handler
    }

    /// The bound port (useful with port 0); 0 before `start`.
    public var port: UInt16 {
        daemon.withLock { d in d.map { shim_mhd_port($0.raw) } ?? 0 }
    }

    /// Binds and starts serving.
    /// - Throws: ``HTTPServerError`` when the address is invalid or the port is taken.
    public func start() throws(HTTPServerError) {
        HTTPServer.raiseFileLimit()
        let flags =
            MHD_USE_AUTO_INTERNAL_THREAD.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue
            | MHD_USE_TURBO.rawValue
        let me = Unmanaged.passUnretained(self).toOpaque()
        let raw = shim_mhd_start(
            UInt32(flags), options.host, options.port, onAccess, me, onCompleted, me,
            UInt32(max(1, options.threads)), UInt32(options.connectionLimit))
        guard let raw else {
            let reason = errno == EADDRINUSE ? "address already in use" : String(cString: strerror(errno))
            throw HTTPServerError(description: "cannot listen on \(options.host):\(options.port): \(reason)")
        }
        daemon.withLock { $0 = DaemonHandle(raw: raw) }
        let w = DisconnectWatcher(server: self)
        watcher.withLock { $0 = w }
        w.start()
    }

    /// Stops accepting, ends every stream and pending answer, waits up to `grace` seconds for them to flush,
    /// then closes all connections and releases the port. Safe to call more than once.
    public func stop(grace: Double = 2) {
        guard !stopping.exchange(true, ordering: .sequentiallyConsistent) else { return }
        guard let d = daemon.withLock({ $0 }) else { return }
        // Quiescing hands the listening socket back to us; it is closed after the daemon stops (MHD's rule).
        let listener = MHD_quiesce_daemon(d.raw)
        for ctx in live.withLock({ Array($0.values) }) { ctx.endForShutdown() }
        let deadline = monotonicSeconds() + grace
        while monotonicSeconds() < deadline, live.withLock({ !$0.isEmpty }) { usleep(10_000) }
        watcher.withLock { $0?.stop() }
        // MHD_stop_daemon must not run while a connection is suspended.
        for ctx in live.withLock({ Array($0.values) }) { ctx.abandon() }
        daemon.withLock { h in
            if let h { MHD_stop_daemon(h.raw) }
            h = nil
        }
        if listener >= 0 { close(listener) }
    }

    /// Number of requests in flight (for tests and the info route).
    public var inFlight: Int { live.withLock { $0.count } }

    func register(_ ctx: ConnectionContext) { live.withLock { $0[ObjectIdentifier(ctx)] = ctx } }
    func unregister(_ ctx: ConnectionContext) { _ = live.withLock { $0.removeValue(forKey: ObjectIdentifier(ctx)) } }

    /// Lets a process serve ~thousands of sockets: the soft descriptor limit up to the hard one.
    private static func raiseFileLimit() {
        var lim = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim) == 0, lim.rlim_cur < lim.rlim_max {
            lim.rlim_cur = lim.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim)
        }
    }
}

/// The daemon pointer, owned by ``HTTPServer`` and only used under its lock.
struct DaemonHandle: @unchecked Sendable {
    let raw: OpaquePointer
}
