import CMicroHTTPD
import Glibc
import MoECore
import Synchronization

/// Every open TCP connection of the server with its deadline: the count behind `--max-connections`, the header
/// and body timeouts, and the recycling of idle connections (docs/http.md, "Timeouts" and "Limits").
///
/// libmicrohttpd's own connection timeout closes a connection that is *idle* (no byte in or out). A client that
/// trickles a header or a body one byte at a time is never idle, so this table gives each connection a deadline
/// for its headers (from the accept, and again after each answered request on a kept-alive connection) and for
/// its body (from the headers); the disconnect watcher ends a connection past its deadline by shutting its socket
/// down, which libmicrohttpd then sees as a hang-up and closes in its own thread.
///
/// Past `limit` open connections, the oldest connections that are waiting for a request (accepted or kept alive,
/// nothing sent yet) are shut down to make room, as nginx reuses idle keep-alive connections, so sockets that send
/// nothing cannot lock other clients out. Connections with a request in progress are never recycled; when they
/// alone exceed the limit, new requests get 503 (``overLimit``).
///
/// Threading: ``opened(_:fd:now:)`` and ``closed(_:)`` run on polling threads from libmicrohttpd's connection
/// notice, which runs before libmicrohttpd closes the socket; ``expire(now:)`` runs on the watcher. All of them hold
/// the table's lock, so a socket is never shut down after libmicrohttpd has closed it (and its number been reused).
final class SocketTable: Sendable {
    fileprivate struct Entry {
        var fd: Int32
        var deadline: Double?
        /// Accepted or kept alive, and no request line yet: may be recycled.
        var waiting: Bool
        /// Shut down to make room; not yet closed by libmicrohttpd.
        var draining = false
        /// Tells this connection from an earlier one at the same address (libmicrohttpd reuses memory).
        var serial: UInt64
        /// The socket's local and peer addresses when accepted: checked before a shutdown, so a descriptor
        /// number that was closed and reused by something else in the process is never touched.
        var identity: SocketIdentity?
    }
    private struct State {
        var entries: [UInt: Entry] = [:]
        /// Waiting connections, oldest first, by key and serial (stale ones are skipped when popped).
        var waitingOrder = FIFO<(key: UInt, serial: UInt64)>()
        var nextSerial: UInt64 = 0
        var draining = 0
    }
    private let state = Locked(State())
    private let openCount = Atomic<Int>(0)
    let headerTimeout: Double
    let bodyTimeout: Double
    let limit: Int

    init(headerTimeout: Double, bodyTimeout: Double, limit: Int) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.limit = limit
    }

    /// Connections open now.
    var count: Int { openCount.load(ordering: .relaxed) }

    /// Keys held for the waiting order, and connections being recycled (for tests: both stay bounded).
    var bookkeeping: (orderKeys: Int, draining: Int) {
        state.withLock { s in (s.waitingOrder.count, s.draining) }
    }

    /// Whether the open connections, less those being recycled, exceed the limit.
    var overLimit: Bool { state.withLock { s in count - s.draining > limit } }

    /// A connection was accepted: its headers are due within the header timeout. Over the limit, the oldest
    /// waiting connections are shut down.
    func opened(_ connection: OpaquePointer, fd: Int32, now: Double) {
        let open = openCount.add(1, ordering: .relaxed).newValue
        state.withLock { s in
            let k = key(connection)
            s.nextSerial += 1
            s.entries[k] = Entry(
                fd: fd, deadline: now + headerTimeout, waiting: true, serial: s.nextSerial,
                identity: SocketIdentity(fd))
            s.waitingOrder.append((k, s.nextSerial))
            // The connection just appended stays: it is the newest.
            while open - s.draining > limit, s.waitingOrder.count > 1, let (old, serial) = s.waitingOrder.popFirst() {
                guard var e = s.entries[old], e.serial == serial, e.waiting, !e.draining else { continue }
                e.shutDown()
                e.draining = true
                e.waiting = false
                e.deadline = nil
                s.entries[old] = e
                s.draining += 1
            }
        }
    }

    /// libmicrohttpd is about to close the connection.
    func closed(_ connection: OpaquePointer) {
        openCount.subtract(1, ordering: .relaxed)
        state.withLock { s in
            if let e = s.entries.removeValue(forKey: key(connection)), e.draining { s.draining -= 1 }
        }
    }

    /// The headers arrived: the body is due within the body timeout (when one is expected), else no deadline.
    func headersReceived(_ connection: OpaquePointer, expectBody: Bool, now: Double) {
        update(connection, deadline: expectBody ? now + bodyTimeout : nil, waiting: false)
    }

    /// The request is complete: the server's own work has no deadline.
    func requestComplete(_ connection: OpaquePointer) { update(connection, deadline: nil, waiting: false) }

    /// The answer was sent: on a kept-alive connection the next request's headers are due in time, and the
    /// connection may be recycled until they start.
    func answered(_ connection: OpaquePointer, now: Double) {
        update(connection, deadline: now + headerTimeout, waiting: true)
    }

    private func update(_ connection: OpaquePointer, deadline: Double?, waiting: Bool) {
        state.withLock { s in
            let k = key(connection)
            guard var e = s.entries[k], !e.draining else { return }
            e.deadline = deadline
            if waiting, !e.waiting { s.waitingOrder.append((k, e.serial)) }
            e.waiting = waiting
            s.entries[k] = e
        }
    }

    /// Shuts down the sockets past their deadline; returns how many. Also drops stale keys from the waiting
    /// order, which otherwise would grow by one key per connection for the life of the server.
    @discardableResult
    func expire(now: Double) -> Int {
        state.withLock { s in
            if s.waitingOrder.count > 2 * s.entries.count + 64 {
                var seen = Set<UInt>()
                let entries = s.entries
                s.waitingOrder = FIFO(
                    s.waitingOrder.elements.lazy.filter { k, serial in
                        entries[k]?.serial == serial && entries[k]?.waiting == true && seen.insert(k).inserted
                    })
            }
            var n = 0
            for (k, v) in s.entries {
                guard let d = v.deadline, d <= now else { continue }
                v.shutDown()
                s.entries[k]!.deadline = nil
                n += 1
            }
            return n
        }
    }

    /// Whether input waits unread in the kernel: bytes or a hang-up on a connection waiting for its next
    /// request, or a connection on `listenFD` not yet accepted (one poll(2) that does not block). For the arrival
    /// holds (``TransportActivity/hasUnreadInput``): a starved polling thread must not make a hold end early.
    func hasUnreadInput(listenFD: Int32) -> Bool {
        var fds = state.withLock { s in
            s.entries.values.compactMap { e in
                e.waiting && !e.draining ? pollfd(fd: e.fd, events: Int16(POLLIN), revents: 0) : nil
            }
        }
        if listenFD >= 0 { fds.append(pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)) }
        return fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), 0) } > 0
    }

    fileprivate static func shutDown(_ fd: Int32, _ identity: SocketIdentity?) {
        guard fd >= 0, let identity, SocketIdentity(fd) == identity else { return }
        _ = shutdown(fd, Int32(SHUT_RDWR))
    }

    private func key(_ c: OpaquePointer) -> UInt { UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(c))) }
}

extension SocketTable.Entry {
    /// Shuts the socket down if the descriptor still is this connection's.
    fileprivate func shutDown() { SocketTable.shutDown(fd, identity) }
}

/// A TCP socket's local and peer address bytes, to recognise it later by its descriptor.
struct SocketIdentity: Equatable, Sendable {
    private let bytes: [UInt8]

    init?(_ fd: Int32) {
        guard fd >= 0 else { return nil }
        var local = sockaddr_storage()
        var peer = sockaddr_storage()
        var n1 = socklen_t(MemoryLayout<sockaddr_storage>.size)
        var n2 = n1
        let ok = withUnsafeMutablePointer(to: &local) { l in
            withUnsafeMutablePointer(to: &peer) { p in
                l.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &n1) } == 0
                    && p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &n2) } == 0
            }
        }
        guard ok else { return nil }
        var b = withUnsafeBytes(of: &local) { Array($0.prefix(Int(n1))) }
        b += withUnsafeBytes(of: &peer) { Array($0.prefix(Int(n2))) }
        bytes = b
    }
}
