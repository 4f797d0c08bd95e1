import CMicroHTTPD
import FakeSLLM
import Glibc
import MoECore
import Synchronization

/// The route handler the server calls for each complete request.
///
/// Called on a libmicrohttpd polling thread (or, for large bodies, on a handler worker): it must not block. Slow
/// answers are given as ``Reply/later(_:)`` or ``Reply/stream(_:)`` and completed from another thread.
package typealias HTTPHandler = @Sendable (HTTPRequest) -> Reply

/// Settings of the HTTP listener (docs/http.md lists them with their reasons).
package struct HTTPServerOptions: Sendable {
    /// Address to bind: an IPv4 or IPv6 literal (`::1`, `[::1]`) or a host name (`localhost`).
    package var host = "127.0.0.1"
    /// TCP port; 0 picks a free one (read it back from ``HTTPServer/port``).
    package var port: UInt16 = 8500
    /// Largest request body accepted; larger ones get 413 with a JSON `detail`.
    package var maxBodyBytes = 32 << 20
    /// libmicrohttpd polling threads (epoll). Two suit a two-core machine.
    package var threads = 2
    /// Most open connections. Past it the oldest connections waiting for a request are closed to make room;
    /// when requests in progress alone exceed it, new requests other than `/health` get 503.
    package var maxConnections = 8_192
    /// Seconds a connection may stay idle (no byte in or out) before it is closed; 0 = never.
    package var idleTimeout = 60
    /// Seconds from the accept (or the previous answer) for the request line and headers to arrive.
    package var headerTimeout = 30.0
    /// Seconds from the headers for the whole body to arrive.
    package var bodyTimeout = 60.0
    /// Most query parameters per request; more get 400.
    package var maxQueryParameters = 256
    /// Bodies at least this large are handled on a worker thread, not on a polling thread.
    package var offloadBodyBytes = 64 << 10
    /// Most bytes an event stream may hold for a client that does not read; past it the stream is aborted.
    package var maxStreamBufferBytes = 4 << 20
    /// Most bytes held for clients server-wide (queued responses and unread stream bytes); past it new work gets
    /// 503 with `Retry-After` and slow readers are cut (docs/http.md, "Server-wide budget").
    package var maxHeldBytes = HeldBytes.defaultLimit
    /// The file descriptor limit to fit the connection cap into; nil reads the process's soft `RLIMIT_NOFILE`
    /// (after raising it towards what the cap needs). Tests set it to stand for `ulimit -n`.
    package var descriptorLimit: Int?
    /// Required `Authorization: Bearer` key, or nil for none.
    package var apiKey: APIKey?

    package init() {}

    /// Whether ``host`` is a loopback address (the warning for an unprotected server looks at it).
    package var bindsLoopbackOnly: Bool {
        let h = String(host.filter { $0 != "[" && $0 != "]" })
        return h == "localhost" || h == "::1" || h.hasPrefix("127.")
    }
}

/// The server failed to start.
package struct HTTPServerError: Error, CustomStringConvertible, Sendable {
    package let description: String
}

/// An HTTP/1.1 server on libmicrohttpd: epoll polling threads, suspended connections for answers the engine
/// produces later, SSE streams without a thread per stream, client disconnects turned into cancellations, and the
/// limits of docs/http.md (timeouts, connection cap, framing, access).
///
/// Lifetime: ``start()`` hands libmicrohttpd a *retained* reference to the server, released by ``stop()`` after
/// the daemon has stopped, so no callback can ever see a freed server; a started server therefore lives until
/// it is stopped. Thread-safe: `start`, `stop` and `port` may be called from any thread.
package final class HTTPServer: Sendable {
    let handler: HTTPHandler
    let options: HTTPServerOptions
    let screen: RequestScreen
    private let daemon = Locked<DaemonHandle?>(nil)
    /// Every request in flight, so shutdown can end them and the watcher can check their sockets.
    let live = Locked<[ObjectIdentifier: ConnectionContext]>([:])
    /// Every open connection, with its deadline.
    let sockets: SocketTable
    let workers: HandlerPool
    private let watcher = Locked<DisconnectWatcher?>(nil)
    let stopping = Atomic<Bool>(false)
    /// Where connections and requests in transit are reported, for the deployments' arrival holds and idle clock
    /// (docs/serving.md "Reproducible arrivals"); nil: not reported.
    let activity: TransportActivity?

    /// Bytes held for clients, server-wide.
    let held: HeldBytes

    /// The connection cap fitted to the descriptor limit (docs/http.md, "Limits").
    package let connectionCap: ConnectionCap

    /// A server with `options`, its connection cap fitted to the descriptor limit (raised first, up to the hard
    /// limit, towards what the requested cap needs). `activity`, when given, hears of every connection and request
    /// (from the polling and engine threads).
    /// - Parameters:
    ///   - access: which paths are open without the API key or answered over the connection limit; the route
    ///     table's answer unless a test serves other routes.
    ///   - handler: the routes.
    package init(
        options: HTTPServerOptions, activity: TransportActivity? = nil,
        access: @escaping @Sendable (String) -> Route.Access = SLLMAPI.access(forPath:),
        handler: @escaping HTTPHandler
    ) {
        self.options = options
        self.handler = handler
        self.activity = activity
        let soft = HTTPServer.raiseFileLimit(to: ConnectionCap.wantedDescriptors(for: options.maxConnections))
        let descriptors = options.descriptorLimit ?? soft
        connectionCap = ConnectionCap(requested: options.maxConnections, descriptorLimit: descriptors)
        screen = RequestScreen(
            maxBodyBytes: options.maxBodyBytes, maxQueryParameters: options.maxQueryParameters,
            apiKey: options.apiKey, access: access)
        sockets = SocketTable(
            headerTimeout: options.headerTimeout, bodyTimeout: options.bodyTimeout, limit: connectionCap.connections)
        workers = HandlerPool(count: 2)
        held = HeldBytes(limit: options.maxHeldBytes)
    }

    /// Bytes held for clients now (queued responses and unread stream bytes).
    package var heldBytes: Int { held.current }

    /// The bound port (useful with port 0); 0 before `start`.
    package var port: UInt16 {
        daemon.withLock { d in d.map { shim_mhd_port($0.raw) } ?? 0 }
    }

    /// Binds and starts serving.
    /// - Throws: ``HTTPServerError`` when the address cannot be resolved or bound, or the descriptor limit leaves
    ///   room for almost no connection.
    package func start() throws(HTTPServerError) {
        if let problem = connectionCap.problem { throw HTTPServerError(description: problem) }
        var addr = sockaddr_storage()
        var len = socklen_t(0)
        let rc = shim_resolve(options.host, options.port, &addr, &len)
        guard rc == 0 else {
            throw HTTPServerError(
                description: "cannot listen on \(options.host): \(String(cString: shim_resolve_error(rc)))")
        }
        // libmicrohttpd's own cap sits above ours, so the connections past ours are accepted and told 503.
        let hardLimit = connectionCap.acceptLimit
        let me = Unmanaged.passRetained(self)
        var config = shim_mhd_config(
            flags: UInt32(
                MHD_USE_AUTO_INTERNAL_THREAD.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue | MHD_USE_TURBO.rawValue),
            thread_pool_size: UInt32(max(1, options.threads)), connection_limit: UInt32(hardLimit),
            idle_timeout_s: UInt32(max(0, options.idleTimeout)),
            connection_memory: Self.connectionMemory, handler: onAccess, completed: onCompleted,
            notify: onConnection, uri: onURI, cls: me.toOpaque())
        guard let raw = shim_mhd_start(&config, &addr) else {
            me.release()
            let reason = errno == EADDRINUSE ? "address already in use" : String(cString: strerror(errno))
            throw HTTPServerError(description: "cannot listen on \(options.host):\(options.port): \(reason)")
        }
        daemon.withLock { $0 = DaemonHandle(raw: raw, retained: me) }
        if let activity {
            let listenFD = shim_mhd_listen_fd(raw)
            activity.setUnreadInputProbe { [sockets] in sockets.hasUnreadInput(listenFD: listenFD) }
        }
        let w = DisconnectWatcher(server: self)
        watcher.withLock { $0 = w }
        w.start()
    }

    /// Stops accepting, ends every stream and pending answer, waits up to `grace` seconds for them to flush,
    /// then closes all connections, releases the port and the daemon's reference. Safe to call more than once.
    package func stop(grace: Double = 2) {
        guard !stopping.exchange(true, ordering: .sequentiallyConsistent) else { return }
        guard let d = daemon.withLock({ $0 }) else {
            workers.stop()
            return
        }
        // Quiescing hands the listening socket back to us; it is closed after the daemon stops (MHD's rule).
        let listener = MHD_quiesce_daemon(d.raw)
        for ctx in live.withLock({ Array($0.values) }) { ctx.endForShutdown() }
        let deadline = monotonicSeconds() + grace
        while monotonicSeconds() < deadline, live.withLock({ !$0.isEmpty }) { usleep(10_000) }
        watcher.withLock { $0?.stop() }
        // MHD_stop_daemon must not run while a connection is suspended.
        for ctx in live.withLock({ Array($0.values) }) { ctx.abort() }
        daemon.withLock { h in
            if let h { MHD_stop_daemon(h.raw) }
            h = nil
        }
        if listener >= 0 { close(listener) }
        workers.stop()
        d.retained.release()
    }

    /// libmicrohttpd's memory pool per connection (request line, headers, query arguments, read and write
    /// buffers): its default, 32 KiB. A stream's write buffer takes about half of it, and every open stream whose
    /// client reads slower than tokens arrive keeps that half filled, so a larger pool costs memory at scale
    /// (128 KiB: 764 MB at 10,000 streams, against 292 MB at 32 KiB). Query strings that would exhaust it are
    /// refused from the URI callback first (`onURI`).
    static let connectionMemory = 32 << 10

    /// Number of requests in flight (for tests and the info route).
    package var inFlight: Int { live.withLock { $0.count } }

    /// Number of open connections.
    package var openConnections: Int { sockets.count }

    func register(_ ctx: ConnectionContext) { live.withLock { $0[ObjectIdentifier(ctx)] = ctx } }
    func unregister(_ ctx: ConnectionContext) { _ = live.withLock { $0.removeValue(forKey: ObjectIdentifier(ctx)) } }

    /// Lets a process serve many sockets: the soft descriptor limit up to `wanted` (or the hard limit). Returns
    /// the soft limit in force afterwards.
    private static func raiseFileLimit(to wanted: Int) -> Int {
        var lim = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim) == 0 else { return 1_024 }
        let target = min(lim.rlim_max, max(lim.rlim_cur, rlim_t(wanted)))
        if target > lim.rlim_cur {
            var raised = lim
            raised.rlim_cur = target
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { lim = raised }
        }
        return Int(min(lim.rlim_cur, rlim_t(Int32.max)))
    }
}

/// The daemon pointer and the server reference it holds, owned by ``HTTPServer`` and used under its lock.
struct DaemonHandle: @unchecked Sendable {
    let raw: OpaquePointer
    let retained: Unmanaged<HTTPServer>
}
