import CMicroHTTPD
import FakeSLLM
import Glibc
import MoECore
import SimEngine

// libmicrohttpd's callbacks. They are file-level constants of the C typedefs (a closure passed inline as a C
// function pointer crashes the Swift 6.3 compiler, swift_notes.md (c)); state comes back through `cls` and
// `req_cls`. All of them run on libmicrohttpd's polling threads.

/// The access handler: called once at the headers, once per body chunk, and once when the request is complete
/// (and again after each resume of a suspended connection).
let onAccess: MHD_AccessHandlerCallback = { cls, connection, url, method, _, uploadData, uploadSize, reqCls in
    guard let cls, let connection, let reqCls, let uploadSize else { return .NO }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()

    guard let existing = reqCls.pointee else {
        let ctx = ConnectionContext(
            connection: connection, method: method.map { String(cString: $0) } ?? "GET",
            path: url.map { String(cString: $0) } ?? "/")
        reqCls.pointee = Unmanaged.passRetained(ctx).toOpaque()
        server.register(ctx)
        if let cl = MHD_lookup_connection_value(connection, .HEADER_KIND, "Content-Length"),
            let length = Int(String(cString: cl)), length > server.options.maxBodyBytes
        {
            // Refuse before reading the body (allowed right after the headers).
            ctx.bodyTooLarge = true
            ctx.reply = .now(tooLarge(server))
            return queue(tooLarge(server), on: connection)
        }
        return .YES
    }
    let ctx = Unmanaged<ConnectionContext>.fromOpaque(existing).takeUnretainedValue()

    if uploadSize.pointee > 0 {
        let n = uploadSize.pointee
        if !ctx.bodyTooLarge, let uploadData {
            if ctx.body.count + n > server.options.maxBodyBytes {
                ctx.bodyTooLarge = true
                ctx.body = []
            } else {
                ctx.body.append(contentsOf: UnsafeRawBufferPointer(start: uploadData, count: n))
            }
        }
        uploadSize.pointee = 0
        return .YES
    }

    if ctx.clientGone || server.stopping.load(ordering: .relaxed) && ctx.reply == nil { return .NO }

    if ctx.reply == nil {
        if ctx.bodyTooLarge {
            ctx.reply = .now(tooLarge(server))
        } else {
            let request = HTTPRequest(
                method: ctx.method, path: ctx.path, query: values(connection, .GET_ARGUMENT_KIND),
                headers: values(connection, .HEADER_KIND), body: ctx.body)
            ctx.body = []
            ctx.reply = server.handler(request)
        }
    }
    switch ctx.reply! {
    case .now(let response):
        return queue(response, on: connection)
    case .later(let pending):
        if let response = pending.response { return queue(response, on: connection) }
        ctx.suspend()
        pending.onReady { [ctx] in ctx.resume() }
        return .YES
    case .stream(let stream):
        let box = Unmanaged.passRetained(StreamBox(ctx: ctx, stream: stream)).toOpaque()
        guard
            let response = MHD_create_response_from_callback(
                shim_mhd_size_unknown(), 4 * 1024, onStreamRead, box, onStreamFree)
        else { return .NO }
        _ = MHD_add_response_header(response, "Content-Type", stream.contentType)
        _ = MHD_add_response_header(response, "Cache-Control", "no-cache")
        for (k, v) in stream.headers { _ = MHD_add_response_header(response, k, v) }
        let result = MHD_queue_response(connection, UInt32(stream.status), response)
        MHD_destroy_response(response)
        return result
    }
}

/// The completion notice: frees the request state; an abnormal end (the client went away) cancels the work.
let onCompleted: MHD_RequestCompletedCallback = { cls, _, reqCls, toe in
    guard let cls, let reqCls, let raw = reqCls.pointee else { return }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
    let ctx = Unmanaged<ConnectionContext>.fromOpaque(raw).takeRetainedValue()
    reqCls.pointee = nil
    ctx.finished()
    if toe != .REQUEST_TERMINATED_COMPLETED_OK { ctx.cancelReply() }
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
/// and returns 0, and the stream's waker resumes it (no thread waits per stream).
private let onStreamRead: MHD_ContentReaderCallback = { cls, _, buf, max in
    guard let cls, let buf else { return Int(MHD_CONTENT_READER_END_WITH_ERROR) }
    let box = Unmanaged<StreamBox>.fromOpaque(cls).takeUnretainedValue()
    let ctx = box.ctx
    if ctx.clientGone { return Int(MHD_CONTENT_READER_END_WITH_ERROR) }
    let out = UnsafeMutableRawBufferPointer(start: buf, count: max)
    switch box.stream.read(into: out, waker: { [ctx] in ctx.resume() }, arm: { ctx.suspend() }) {
    case .bytes(let n): return n
    case .end: return Int(MHD_CONTENT_READER_END_OF_STREAM)
    case .wouldBlock: return 0
    }
}

private let onStreamFree: MHD_ContentReaderFreeCallback = { cls in
    guard let cls else { return }
    Unmanaged<StreamBox>.fromOpaque(cls).release()
}

private func tooLarge(_ server: HTTPServer) -> HTTPResponse {
    .detail("Request body too large (limit \(server.options.maxBodyBytes) bytes)", status: 413)
}

private func queue(_ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
    let r = response.body.withUnsafeBytes { raw in
        MHD_create_response_from_buffer(
            raw.count, UnsafeMutableRawPointer(mutating: raw.baseAddress), .RESPMEM_MUST_COPY)
    }
    guard let r else { return .NO }
    _ = MHD_add_response_header(r, "Content-Type", response.contentType)
    for (k, v) in response.headers { _ = MHD_add_response_header(r, k, v) }
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

private final class PairCollector {
    var pairs: [(String, String)] = []
}

private let collectValue: MHD_KeyValueIterator = { cls, _, key, value in
    guard let cls, let key else { return .YES }
    let sink = Unmanaged<PairCollector>.fromOpaque(cls).takeUnretainedValue()
    sink.pairs.append((String(cString: key), value.map { String(cString: $0) } ?? ""))
    return .YES
}
