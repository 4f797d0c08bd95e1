import CMicroHTTPD
import Glibc
import Synchronization

/// Every open TCP connection of the server with its deadline: the count behind `--max-connections` and the
/// header and body timeouts (docs/http.md, "Timeouts").
///
/// libmicrohttpd's own connection timeout closes a connection that is *idle* (no byte in or out). A client that
/// trickles a header or a body one byte at a time is never idle, so this table gives each connection a deadline
/// for its headers (from the accept, and again after each answered request on a kept-alive connection) and for
/// its body (from the headers); the disconnect watcher ends a connection past its deadline by shutting its socket
/// down, which libmicrohttpd then sees as a hang-up and closes in its own thread.
///
/// Threading: ``opened(_:fd:)`` and ``closed(_:)`` run on polling threads from libmicrohttpd's connection notice,
/// which runs before libmicrohttpd closes the socket; ``expire(now:)`` runs on the watcher. All of them hold the
/// table's lock, so a socket is never shut down after libmicrohttpd has closed it (and its number been reused).
final class SocketTable: Sendable {
    private struct Entry {
        var fd: Int32
        var deadline: Double?
    }
    private let entries = Locked<[UInt: Entry]>([:])
    private let openCount = Atomic<Int>(0)
    let headerTimeout: Double
    let bodyTimeout: Double

    init(headerTimeout: Double, bodyTimeout: Double) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
    }

    /// Connections open now.
    var count: Int { openCount.load(ordering: .relaxed) }

    /// A connection was accepted: its headers are due within the header timeout.
    func opened(_ connection: OpaquePointer, fd: Int32, now: Double) {
        openCount.add(1, ordering: .relaxed)
        entries.withLock { $0[key(connection)] = Entry(fd: fd, deadline: now + headerTimeout) }
    }

    /// libmicrohttpd is about to close the connection.
    func closed(_ connection: OpaquePointer) {
        openCount.subtract(1, ordering: .relaxed)
        _ = entries.withLock { $0.removeValue(forKey: key(connection)) }
    }

    /// The headers arrived: the body is due within the body timeout (when one is expected), else no deadline.
    func headersReceived(_ connection: OpaquePointer, expectBody: Bool, now: Double) {
        setDeadline(connection, expectBody ? now + bodyTimeout : nil)
    }

    /// The request is complete: the server's own work has no deadline.
    func requestComplete(_ connection: OpaquePointer) { setDeadline(connection, nil) }

    /// The answer was sent: on a kept-alive connection the next request's headers are due in time.
    func answered(_ connection: OpaquePointer, now: Double) { setDeadline(connection, now + headerTimeout) }

    private func setDeadline(_ connection: OpaquePointer, _ deadline: Double?) {
        entries.withLock { e in
            let k = key(connection)
            if e[k] != nil { e[k]!.deadline = deadline }
        }
    }

    /// Shuts down the sockets past their deadline; returns how many.
    @discardableResult
    func expire(now: Double) -> Int {
        entries.withLock { e in
            var n = 0
            for (k, v) in e {
                guard let d = v.deadline, d <= now else { continue }
                _ = shutdown(v.fd, Int32(SHUT_RDWR))
                e[k]!.deadline = nil
                n += 1
            }
            return n
        }
    }

    private func key(_ c: OpaquePointer) -> UInt { UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(c))) }
}
