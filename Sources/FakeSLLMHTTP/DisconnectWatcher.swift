import Foundation
import Glibc
import MoECore
import Synchronization

/// The server's housekeeping thread: notices clients that hang up while their request is suspended, and ends
/// connections past their header or body deadline (docs/http.md, "Lifecycle" and "Timeouts").
///
/// libmicrohttpd does not watch suspended connections, so a client that disconnects from a long completion would
/// go unnoticed until the answer is written. Every 100 ms this thread polls the sockets of suspended connections
/// for a peer hang-up and aborts exactly those requests (``ConnectionContext/abort()``), closes streams that
/// overflowed their buffer limit, and expires overdue sockets in the ``SocketTable``. It holds the server weakly and ends with it or on ``stop()``.
final class DisconnectWatcher: Sendable {
    private weak let server: HTTPServer?
    private let running = Atomic<Bool>(true)
    private let exited = DispatchSemaphore(value: 0)

    init(server: HTTPServer) { self.server = server }

    func start() {
        let t = Thread { [self] in
            loop()
            exited.signal()
        }
        t.name = "fake-sllm.disconnect-watcher"
        t.start()
    }

    /// Stops the thread and waits (at most one period) until it has exited: after this it touches no socket,
    /// so the daemon may close them (their numbers could otherwise be reused by anything in the process).
    func stop() {
        running.store(false, ordering: .relaxed)
        exited.wait()
    }

    private func loop() {
        while running.load(ordering: .relaxed) {
            usleep(100_000)
            guard running.load(ordering: .relaxed), let server else { return }
            server.sockets.expire(now: monotonicSeconds())
            let contexts = server.live.withLock { Array($0.values) }
            for ctx in contexts { _ = ctx.closeIfOverflowed() }
            closeHalfClosedBodies(contexts)
            let waiting = contexts.compactMap { ctx in ctx.socketIfSuspended.map { (ctx, $0) } }
            guard !waiting.isEmpty else { continue }
            var fds = waiting.map { pollfd(fd: $0.1, events: pollRDHUP, revents: 0) }
            guard poll(&fds, nfds_t(fds.count), 0) > 0 else { continue }
            for (i, p) in fds.enumerated() where Self.hungUp(p.revents) {
                waiting[i].0.abort()
            }
        }
    }

    /// Requests whose client half-closed with a body still owed (nothing left to read on the socket) are closed
    /// at once rather than at the body deadline.
    private func closeHalfClosedBodies(_ contexts: [ConnectionContext]) {
        let owing = contexts.compactMap { ctx in ctx.socketIfAwaitingBody.map { (ctx, $0) } }
        guard !owing.isEmpty else { return }
        var fds = owing.map { pollfd(fd: $0.1, events: pollRDHUP, revents: 0) }
        guard poll(&fds, nfds_t(fds.count), 0) >= 0 else { return }
        for (i, p) in fds.enumerated() {
            var unread: Int32 = 0
            let drained = ioctl(p.fd, UInt(FIONREAD), &unread) == 0 && unread == 0
            _ = owing[i].0.closeIfHalfClosedMidBody(Self.hungUp(p.revents) && drained)
        }
    }

    /// Whether a socket's poll events say the peer is gone: its writing side closed, a hang-up or an error.
    static func hungUp(_ revents: Int16) -> Bool {
        revents & (pollRDHUP | Int16(POLLHUP) | Int16(POLLERR)) != 0
    }
}

/// Linux `POLLRDHUP` (peer closed its writing side); Glibc does not export it to Swift.
let pollRDHUP: Int16 = 0x2000
