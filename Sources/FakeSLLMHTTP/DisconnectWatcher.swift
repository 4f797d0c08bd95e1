import FakeSLLM
import Foundation
import Glibc
import SimEngine
import Synchronization

/// Notices clients that hang up while their request waits on the engine.
///
/// libmicrohttpd does not watch suspended connections, so a client that disconnects from a long completion would
/// go unnoticed until the answer is written. This thread polls the sockets of suspended connections every
/// 100 ms for a peer hang-up (`POLLRDHUP`) and cancels their work in the engine.
final class DisconnectWatcher: @unchecked Sendable {
    private weak var server: HTTPServer?
    private let running = Atomic<Bool>(true)
    private var thread: Thread?

    init(server: HTTPServer) { self.server = server }

    func start() {
        let t = Thread { [self] in loop() }
        t.name = "fake-sllm.disconnect-watcher"
        thread = t
        t.start()
    }

    func stop() { running.store(false, ordering: .relaxed) }

    private func loop() {
        while running.load(ordering: .relaxed) {
            usleep(100_000)
            guard running.load(ordering: .relaxed), let server else { return }
            let waiting = server.live.withLock { live in
                live.values.compactMap { ctx in ctx.socketIfSuspended.map { (ctx, $0) } }
            }
            guard !waiting.isEmpty else { continue }
            var fds = waiting.map { pollfd(fd: $0.1, events: pollRDHUP, revents: 0) }
            guard poll(&fds, nfds_t(fds.count), 0) > 0 else { continue }
            for (i, p) in fds.enumerated()
            where p.revents & pollRDHUP | Int16(POLLHUP) | Int16(POLLERR) != 0 {
                waiting[i].0.clientDisconnected()
            }
        }
    }
}

/// Linux `POLLRDHUP` (peer closed its writing side); Glibc does not export it to Swift.
private let pollRDHUP: Int16 = 0x2000
