import Evaluator
import EvaluatorClient
import Foundation
import MoECore

#if canImport(Glibc)
    import Glibc
#endif

/// A request as the test server parsed it.
struct TestRequest: Sendable {
    var method: String
    /// The request target: path plus query string, as sent.
    var target: String
    var headers: HTTPHeaders
    var body: [UInt8]

    /// The target without its query string.
    var path: String { String(target.prefix { $0 != "?" }) }

    /// The percent-decoded value of query parameter `name`, or nil.
    func query(_ name: String) -> String? {
        guard let mark = target.firstIndex(of: "?") else { return nil }
        for item in target[target.index(after: mark)...].split(separator: "&") {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.first.map(String.init) == name { return parts.count > 1 ? Self.percentDecoded(parts[1]) : "" }
        }
        return nil
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }

    private static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// One piece of a chunked streaming reply, written after `delay`.
struct TestChunk: Sendable {
    var delay: Duration
    var bytes: [UInt8]
}

/// What the test server does with a request.
enum TestReply: Sendable {
    /// A complete response with `Content-Length`.
    case response(status: Int, headers: HTTPHeaders, body: [UInt8])
    /// A chunked response written piece by piece, each after its delay.
    case chunked(status: Int, headers: HTTPHeaders, chunks: [TestChunk])
    /// These bytes verbatim, then the connection is closed (truncated or malformed answers).
    case raw([UInt8])
    /// Close the connection without answering.
    case dropConnection

    static func text(_ status: Int, _ text: String) -> TestReply {
        .response(status: status, headers: ["Content-Type": "text/plain"], body: Array(text.utf8))
    }

    static func json(_ status: Int, _ value: JSONValue) -> TestReply {
        .response(status: status, headers: ["Content-Type": "application/json"], body: value.serializedBytes())
    }

    /// An SSE stream: one chunk per event text (`data: ...` lines), `delay` before each.
    static func sse(_ events: [String], delay: Duration) -> TestReply {
        .chunked(
            status: 200, headers: ["Content-Type": "text/event-stream"],
            chunks: events.map { TestChunk(delay: delay, bytes: Array("\($0)\n\n".utf8)) })
    }
}

/// A small HTTP/1.1 server on 127.0.0.1 and an ephemeral port, for live client tests.
///
/// A thread accepts connections and a thread per connection serves requests in order, keeping connections alive
/// unless asked to close. `handler` runs on the connection's thread and may block (to simulate a slow server).
/// Call ``stop()`` when done (the server's threads keep it alive until then): it closes the listener and every open
/// connection; it does not wait for handlers.
final class TestHTTPServer: Sendable {
    private struct State {
        var stopped = false
        var openConnections: Set<Int32> = []
        var acceptedConnections = 0
        var requests = 0
        var listenerClosed = false
    }

    let port: UInt16
    private let listener: Int32
    private let handler: @Sendable (TestRequest) -> TestReply
    private let state = Locked(State())

    /// `http://127.0.0.1:<port>`.
    var baseURL: String { "http://127.0.0.1:\(port)" }
    /// Connections accepted so far.
    var acceptedConnections: Int { state.withLock { $0.acceptedConnections } }
    /// Requests read so far.
    var requestCount: Int { state.withLock { $0.requests } }

    init(handler: @escaping @Sendable (TestRequest) -> TestReply) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestServerError("socket: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && listen(fd, 1024) == 0
                    && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw TestServerError("bind/listen: errno \(errno)")
        }
        self.listener = fd
        self.port = UInt16(bigEndian: address.sin_port)
        self.handler = handler
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// A port on which nothing listens (bound, then closed), for connection-refused tests.
    static func closedPort() throws -> UInt16 {
        let server = try TestHTTPServer { _ in .dropConnection }
        server.stop()
        while !server.state.withLock({ $0.listenerClosed }) { usleep(1000) }
        return server.port
    }

    func stop() {
        let connections: Set<Int32>? = state.withLock { state in
            guard !state.stopped else { return nil }
            state.stopped = true
            return state.openConnections
        }
        guard let connections else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        for fd in connections { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// Blocks the calling (server) thread for `duration`.
    static func sleep(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        usleep(UInt32(seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                break
            }
            let accepted = state.withLock { state in
                guard !state.stopped else { return false }
                state.openConnections.insert(fd)
                state.acceptedConnections += 1
                return true
            }
            guard accepted else {
                close(fd)
                break
            }
            var yes: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            Thread.detachNewThread { [self] in serve(fd) }
        }
        close(listener)
        state.withLock { $0.listenerClosed = true }
    }

    private func serve(_ fd: Int32) {
        defer {
            state.withLock { _ = $0.openConnections.remove(fd) }
            close(fd)
        }
        var buffer: [UInt8] = []
        while let request = readRequest(fd, &buffer) {
            state.withLock { $0.requests += 1 }
            let closeAfter = request.headers["Connection"]?.lowercased() == "close"
            guard write(handler(request), to: fd, close: closeAfter), !closeAfter else { return }
        }
    }

    /// Reads one request (head and `Content-Length` body) from `fd`; nil at end of stream or on garbage.
    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> TestRequest? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while true {
            if let range = buffer.firstRange(of: separator) {
                headEnd = range.upperBound
                break
            }
            guard receive(fd, into: &buffer) else { return nil }
        }
        guard let headEnd else { return nil }
        let lines = String(decoding: buffer[..<(headEnd - 4)], as: UTF8.self).components(separatedBy: "\r\n")
        let start = lines[0].split(separator: " ")
        guard start.count == 3 else { return nil }
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.add(
                name: String(line[..<colon]),
                value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = Int(headers["Content-Length"] ?? "0") ?? 0
        while buffer.count < headEnd + length {
            guard receive(fd, into: &buffer) else { return nil }
        }
        let body = Array(buffer[headEnd..<(headEnd + length)])
        buffer.removeFirst(headEnd + length)
        return TestRequest(method: String(start[0]), target: String(start[1]), headers: headers, body: body)
    }

    private func receive(_ fd: Int32, into buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer += chunk[..<count]
        return true
    }

    /// Writes `reply`; returns false when the connection must close (dropped, raw, or the peer went away).
    private func write(_ reply: TestReply, to fd: Int32, close: Bool) -> Bool {
        let connection = close ? "Connection: close\r\n" : ""
        switch reply {
        case .response(let status, let headers, let body):
            let head = Self.head(status, headers) + "Content-Length: \(body.count)\r\n\(connection)\r\n"
            return send(fd, Array(head.utf8) + body)
        case .chunked(let status, let headers, let chunks):
            let head = Self.head(status, headers) + "Transfer-Encoding: chunked\r\n\(connection)\r\n"
            guard send(fd, Array(head.utf8)) else { return false }
            for chunk in chunks {
                Self.sleep(chunk.delay)
                let frame = Array(String(chunk.bytes.count, radix: 16).utf8) + [13, 10] + chunk.bytes + [13, 10]
                guard send(fd, frame) else { return false }
            }
            return send(fd, Array("0\r\n\r\n".utf8))
        case .raw(let bytes):
            _ = send(fd, bytes)
            return false
        case .dropConnection:
            return false
        }
    }

    private static func head(_ status: Int, _ headers: HTTPHeaders) -> String {
        var text = "HTTP/1.1 \(status) Test\r\n"
        for field in headers.fields { text += "\(field.name): \(field.value)\r\n" }
        return text
    }

    private func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }
}

struct TestServerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
