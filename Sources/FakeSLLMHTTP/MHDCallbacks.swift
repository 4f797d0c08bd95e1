import CMicroHTTPD
import FakeSLLM
import Glibc
import MoECore

// libmicrohttpd's callbacks: the transitions of ``ConnectionLifecycle`` are made here and nowhere else. They are
// file-level constants of the C typedefs (a closure passed inline as a C function pointer crashes the Swift 6.3
// compiler); state comes back through `cls` (the server, retained by `HTTPServer.start`) and `req_cls` (the
// request's context, retained until the completion notice). All of them run on libmicrohttpd's polling threads.

/// The connection notice: counts connections and gives each its header deadline (``SocketTable``).
let onConnection: MHD_NotifyConnectionCallback = { cls, connection, _, code in
    guard let cls, let connection else { return }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
    if code == .CONNECTION_NOTIFY_STARTED {
        let now = monotonicSeconds()
        server.sockets.opened(connection, fd: shim_mhd_connection_fd(connection), now: now)
        server.activity?.connectionOpened(atWall: now)
    } else {
        server.sockets.closed(connection)
        server.activity?.connectionClosed(UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(connection))))
    }
}

/// The request line's URI, before libmicrohttpd parses its query: a URI longer than ``maxURIBytes`` (414) or a
/// query with more parameters than the limit (400) would exhaust libmicrohttpd's per-connection memory, and
/// libmicrohttpd then stalls the connection instead of answering. Such a request is answered here, on the socket directly (nothing has been written on it for this
/// request yet), with the same 400 the screen gives, and the socket is shut down. Returns nil: the access
/// handler's first call must still see an empty `req_cls`.
let onURI: shim_uri_callback = { cls, uri, connection in
    guard let cls, let uri, let connection else { return nil }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
    server.activity?.requestLineSeen(
        connection: UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(connection))), atWall: monotonicSeconds())
    let limit = server.options.maxQueryParameters
    let refusal: (status: String, detail: String)
    if strlen(uri) > maxURIBytes {
        // Past this the URI and the headers cannot both fit libmicrohttpd's per-connection memory.
        refusal = ("414 URI Too Long", "URI too long (limit \(maxURIBytes) bytes)")
    } else {
        guard let query = strchr(uri, Int32(UInt8(ascii: "?"))) else { return nil }
        var count = 1
        var p = query + 1
        while p.pointee != 0 {
            if p.pointee == CChar(UInt8(ascii: "&")) { count += 1 }
            p += 1
        }
        guard count > limit else { return nil }
        refusal = ("400 Bad Request", "Too many query parameters (limit \(limit))")
    }
    let fd = shim_mhd_connection_fd(connection)
    guard fd >= 0 else { return nil }
    let body = #"{"detail":"\#(refusal.detail)"}"#
    let text =
        "HTTP/1.1 \(refusal.status)\r\nConnection: close\r\nContent-Type: application/json\r\n"
        + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    _ = text.utf8CString.withUnsafeBufferPointer { send(fd, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL)) }
    _ = shutdown(fd, Int32(SHUT_RDWR))
    return nil
}

/// The longest request URI answered (docs/http.md, "Framing"): a quarter of libmicrohttpd's per-connection
/// memory, so the headers still fit beside it.
let maxURIBytes = HTTPServer.connectionMemory / 4

/// The access handler: called once at the headers (`accepted`), once per body chunk (`reading`), once when the
/// request is complete (`dispatched`), and again after each resume of a suspended connection.
let onAccess: MHD_AccessHandlerCallback = { cls, connection, url, method, _, uploadData, uploadSize, reqCls in
    guard let cls, let connection, let reqCls, let uploadSize else { return .NO }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()

    guard let existing = reqCls.pointee else {
        return accept(server, connection, method, url, reqCls)
    }
    let ctx = Unmanaged<ConnectionContext>.fromOpaque(existing).takeUnretainedValue()

    switch ctx.phase {
    case .accepted, .reading:
        if uploadSize.pointee > 0 {
            receive(server, ctx, uploadData, uploadSize.pointee)
            uploadSize.pointee = 0
            return .YES
        }
        server.sockets.requestComplete(connection)
        return dispatch(server, ctx, connection)
    case .dispatched:
        // Resumed: the worker or the engine has the answer now.
        guard let reply = ctx.reply else { return .YES }
        return answer(server, ctx, connection, reply)
    case .replying, .streaming:
        // Answered at the headers: whatever body follows is discarded (the connection closes after the answer).
        uploadSize.pointee = 0
        return .YES
    case .done, .aborted:
        return .NO
    }
}

/// First call: the request line and headers. Screens them (framing, limits, access) before any body is read.
private func accept(
    _ server: HTTPServer, _ connection: OpaquePointer, _ method: UnsafePointer<CChar>?, _ url: UnsafePointer<CChar>?,
    _ reqCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>
) -> MHD_Result {
    let ctx = ConnectionContext(
        connection: connection, method: method.map { String(cString: $0) } ?? "GET",
        path: url.map { String(cString: $0) } ?? "/")
    reqCls.pointee = Unmanaged.passRetained(ctx).toOpaque()
    server.register(ctx)
    if let activity = server.activity { ctx.report(to: activity, atWall: monotonicSeconds()) }
    let headers = values(connection, .HEADER_KIND)
    // Kept for the dispatch: the header set is final once the access handler is first called (a chunked
    // body's trailers are another kind).
    ctx.headers = headers
    let expectBody = headers.contains { RequestScreen.isFramingName($0.0) }
    server.sockets.headersReceived(connection, expectBody: expectBody, now: monotonicSeconds())
    var refusal: HTTPResponse?
    if server.stopping.load(ordering: .relaxed) {
        refusal = .detail("Server is shutting down", status: 503)
    } else if let r = server.screen.check(
        method: ctx.method, path: ctx.path, headers: headers, queryCount: count(connection, .GET_ARGUMENT_KIND))
    {
        refusal = r.response
    } else if server.sockets.overLimit, server.screen.access(ctx.path) != .probe {
        refusal = .detail("Too many connections (limit \(server.connectionCap.connections))", status: 503)
        refusal?.headers.append(("Retry-After", "1"))
    } else if server.held.isOver, server.screen.access(ctx.path) == .keyed {
        // The server-wide budget (docs/http.md): no new work until held answers drain; the probe and the metrics
        // scrape (the route table's open rows) still answer.
        refusal = .detail("Server busy: answers in flight hold more than \(server.held.limit) bytes", status: 503)
        refusal?.headers.append(("Retry-After", "1"))
    }
    if let refusal {
        ctx.reject()
        ctx.setReply(.now(refusal))
        return queue(refusal, on: connection, close: true)
    }
    ctx.startReading()
    return .YES
}

/// A body chunk: kept up to the size limit (the rest is counted and dropped; the answer is 413).
private func receive(_ server: HTTPServer, _ ctx: ConnectionContext, _ data: UnsafePointer<CChar>?, _ n: Int) {
    guard !ctx.bodyTooLarge, let data else { return }
    if ctx.body.count + n > server.options.maxBodyBytes {
        ctx.bodyTooLarge = true
        ctx.body = []
    } else {
        ctx.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: n))
    }
}

/// The request is complete: run the handler here, or on a worker when the body is large.
private func dispatch(_ server: HTTPServer, _ ctx: ConnectionContext, _ connection: OpaquePointer) -> MHD_Result {
    if server.stopping.load(ordering: .relaxed) {
        let r = HTTPResponse.detail("Server is shutting down", status: 503)
        ctx.reject()
        ctx.setReply(.now(r))
        return queue(r, on: connection, close: true)
    }
    if ctx.bodyTooLarge {
        let r = HTTPResponse.detail("Request body too large (limit \(server.options.maxBodyBytes) bytes)", status: 413)
        ctx.reject()
        ctx.setReply(.now(r))
        return queue(r, on: connection, close: true)
    }
    var request = HTTPRequest(
        method: ctx.method, path: ctx.path,
        query: count(connection, .GET_ARGUMENT_KIND) == 0 ? [] : values(connection, .GET_ARGUMENT_KIND),
        headers: ctx.headers, body: ctx.body)
    // A large body is parsed on a worker while the connection is suspended; the watcher aborts it on a hang-up.
    request.isAbandoned = { [ctx] in ctx.isAborted }
    ctx.body = []
    ctx.headers = []
    ctx.dispatch()
    if request.body.count >= server.options.offloadBodyBytes {
        ctx.suspend(waitsOnEngine: false)
        let handler = server.handler
        server.workers.submit { [ctx, request] in
            ctx.setReply(handler(request))
            ctx.resume()
        }
        return .YES
    }
    let reply = server.handler(request)
    ctx.setReply(reply)
    return answer(server, ctx, connection, reply)
}

/// Queues the handler's answer: a response now, a wait for the engine, or a stream.
private func answer(
    _ server: HTTPServer, _ ctx: ConnectionContext, _ connection: OpaquePointer, _ reply: Reply
) -> MHD_Result {
    switch reply {
    case .now(let response):
        ctx.answered(streaming: false)
        hold(response, server, ctx)
        return queue(response, on: connection, close: false)
    case .later(let pending):
        if let response = pending.response {
            ctx.answered(streaming: false)
            hold(response, server, ctx)
            return queue(response, on: connection, close: false)
        }
        ctx.suspend()
        pending.onReady { [ctx] in ctx.resume() }
        return .YES
    case .stream(let stream):
        stream.limitBuffer(to: server.options.maxStreamBufferBytes, held: server.held)
        let box = Unmanaged.passRetained(StreamBox(ctx: ctx, stream: stream))
        guard
            let response = MHD_create_response_from_callback(
                shim_mhd_size_unknown(), 4 * 1024, onStreamRead, box.toOpaque(), onStreamFree)
        else {
            // libmicrohttpd did not take the box: release it here, and stop the producer.
            box.release()
            ctx.abort()
            return .NO
        }
        ctx.answered(streaming: true)
        _ = MHD_add_response_header(response, "Content-Type", stream.contentType)
        _ = MHD_add_response_header(response, "Cache-Control", "no-cache")
        for (k, v) in stream.headers { _ = MHD_add_response_header(response, k, v) }
        let result = MHD_queue_response(connection, UInt32(stream.status), response)
        MHD_destroy_response(response)
        return result
    }
}

/// The completion notice: the request ends `done` or `aborted` (work cancelled), and its context is freed.
let onCompleted: MHD_RequestCompletedCallback = { cls, connection, reqCls, toe in
    guard let cls, let reqCls, let raw = reqCls.pointee else { return }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
    let ctx = Unmanaged<ConnectionContext>.fromOpaque(raw).takeRetainedValue()
    reqCls.pointee = nil
    ctx.completed(ok: toe == .REQUEST_TERMINATED_COMPLETED_OK)
    server.held.add(-ctx.heldBytes)
    ctx.heldBytes = 0
    if let connection {
        let now = monotonicSeconds()
        server.sockets.answered(connection, now: now)
        if toe == .REQUEST_TERMINATED_COMPLETED_OK {
            server.activity?.connectionAnswered(
                UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(connection))), atWall: now)
        }
    }
    server.unregister(ctx)
}

/// Keeps the stream and its connection alive as long as libmicrohttpd holds the response.
private final class StreamBox {
    let ctx: ConnectionContext
    let stream: EventStream
    init(ctx: ConnectionContext, stream: EventStream) {
        self.ctx = ctx
        self.stream = stream
    }
}

/// The SSE content reader: copies what the engine has produced; with nothing ready it suspends the connection
/// and returns 0, and the stream's waker resumes it (no thread waits per stream). An aborted request, or a stream
/// that overflowed its buffer limit, ends with an error (libmicrohttpd closes the connection).
private let onStreamRead: MHD_ContentReaderCallback = { cls, _, buf, max in
    guard let cls, let buf else { return Int(MHD_CONTENT_READER_END_WITH_ERROR) }
    let box = Unmanaged<StreamBox>.fromOpaque(cls).takeUnretainedValue()
    let ctx = box.ctx
    if ctx.isAborted { return Int(MHD_CONTENT_READER_END_WITH_ERROR) }
    let out = UnsafeMutableRawBufferPointer(start: buf, count: max)
    switch box.stream.read(into: out, waker: { [ctx] in ctx.resume() }, arm: { ctx.suspend() }) {
    case .bytes(let n): return n
    case .end: return Int(MHD_CONTENT_READER_END_OF_STREAM)
    case .wouldBlock: return 0
    case .aborted: return Int(MHD_CONTENT_READER_END_WITH_ERROR)
    }
}

private let onStreamFree: MHD_ContentReaderFreeCallback = { cls in
    guard let cls else { return }
    let box = Unmanaged<StreamBox>.fromOpaque(cls)
    // Unread bytes leave the server-wide count with the response (a no-op for a stream that ended).
    box.takeUnretainedValue().stream.cancel()
    box.release()
}

/// Counts a queued response's body in the server-wide budget until the request's completion notice (libmicrohttpd
/// holds its copy until then).
private func hold(_ response: HTTPResponse, _ server: HTTPServer, _ ctx: ConnectionContext) {
    server.held.add(response.body.count)
    ctx.heldBytes += response.body.count
}

private func queue(_ response: HTTPResponse, on connection: OpaquePointer, close: Bool) -> MHD_Result {
    let r = response.body.withUnsafeBytes { raw in
        MHD_create_response_from_buffer(
            raw.count, UnsafeMutableRawPointer(mutating: raw.baseAddress), .RESPMEM_MUST_COPY)
    }
    guard let r else { return .NO }
    _ = MHD_add_response_header(r, "Content-Type", response.contentType)
    for (k, v) in response.headers { _ = MHD_add_response_header(r, k, v) }
    if close { _ = MHD_add_response_header(r, "Connection", "close") }
    let result = MHD_queue_response(connection, UInt32(response.status), r)
    MHD_destroy_response(r)
    return result
}

/// Collects header or query pairs of a connection.
private func values(_ connection: OpaquePointer, _ kind: MHD_ValueKind) -> [(String, String)] {
    let sink = PairCollector()
    withExtendedLifetime(sink) {
        _ = MHD_get_connection_values(connection, kind, collectValue, Unmanaged.passUnretained(sink).toOpaque())
    }
    return sink.pairs
}

/// Number of header or query pairs of a connection.
private func count(_ connection: OpaquePointer, _ kind: MHD_ValueKind) -> Int {
    Int(MHD_get_connection_values(connection, kind, nil, nil))
}

private final class PairCollector {
    var pairs: [(String, String)] = []
}

private let collectValue: MHD_KeyValueIterator = { cls, _, key, value in
    guard let cls, let key else { return .YES }
    let sink = Unmanaged<PairCollector>.fromOpaque(cls).takeUnretainedValue()
    sink.pairs.append((String(cString: key), value.map { String(cString: $0) } ?? ""))
    return .YES
}
