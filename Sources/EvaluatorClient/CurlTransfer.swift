import CCurl
import MoECore
import Synchronization

/// One request while libcurl carries it: the easy-handle options, the receive buffers, the SSE parser and the
/// continuation that hands the outcome back to the awaiting task.
///
/// Threading: created on the caller's thread, then owned by the ``CurlMultiLoop`` thread, which alone configures
/// the handle, runs the callbacks and resumes the continuation (exactly once, through ``finish(_:)``).
/// Only ``requestCancellation()`` / ``isCancellationRequested`` may be used from other threads.
final class CurlTransfer: @unchecked Sendable {
    typealias EventHandler = @Sendable (SSEEvent, ContinuousClock.Instant) -> Void
    typealias Outcome = Result<HTTPResponse, HTTPClientError>

    let request: HTTPRequest
    private let onEvent: EventHandler?
    private let continuation: CheckedContinuation<Outcome, Never>
    private let cancelFlag = Atomic<Bool>(false)
    private var finished = false
    /// Whether the transfer counts on the wire for its ``ClosedLoopGate`` (loop thread).
    var holdsGateSlot = false

    /// The easy handle while the transfer is attached to the multi handle.
    private(set) var easy: UnsafeMutableRawPointer?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))

    private var headers = HTTPHeaders()
    private var body: [UInt8] = []
    private var parser: SSEParser?
    private var bodyStarted = false
    private var events: [TimedSSEEvent] = []
    private var startTime = ContinuousClock.now
    private var firstByteTime: ContinuousClock.Instant?
    /// Set when the body passed ``HTTPRequest/maxResponseBytes`` (the write callback then stops the transfer).
    private var overCap = false

    init(request: HTTPRequest, onEvent: EventHandler?, continuation: CheckedContinuation<Outcome, Never>) {
        self.request = request
        self.onEvent = onEvent
        self.continuation = continuation
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        if let headerList { curl_slist_free_all(headerList) }
        errorBuffer.deallocate()
    }

    /// Marks the transfer cancelled; the loop thread acts on it at its next turn. Any thread.
    func requestCancellation() { cancelFlag.store(true, ordering: .releasing) }

    /// Whether ``requestCancellation()`` was called. Any thread.
    var isCancellationRequested: Bool { cancelFlag.load(ordering: .acquiring) }

    /// Resumes the awaiting task with `outcome`; later calls are ignored. Loop thread.
    func finish(_ outcome: Outcome) {
        guard !finished else { return }
        finished = true
        continuation.resume(returning: outcome)
    }

    /// A failure of this transfer with the client's own reason.
    func failure(_ kind: HTTPClientError.Kind, _ message: String) -> Outcome {
        .failure(HTTPClientError(kind: kind, message: message, url: request.url))
    }

    // MARK: - Easy handle (loop thread)

    /// Resets `handle` and sets every option of this request on it, or returns why it could not.
    func attach(to handle: UnsafeMutableRawPointer, configuration: HTTPClient.Configuration) -> HTTPClientError? {
        curl_easy_reset(handle)
        easy = handle
        let me = Unmanaged.passUnretained(self).toOpaque()
        var options = EasyOptions(handle: handle)
        options.set(CURLOPT_URL, request.url)
        options.set(CURLOPT_NOSIGNAL, 1)
        options.set(CURLOPT_ERRORBUFFER, pointer: errorBuffer)
        options.set(CURLOPT_WRITEFUNCTION, callback: curlOnBody)
        options.set(CURLOPT_WRITEDATA, pointer: me)
        options.set(CURLOPT_HEADERFUNCTION, callback: curlOnHeader)
        options.set(CURLOPT_HEADERDATA, pointer: me)
        options.set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(configuration.connectTimeout))
        if let timeout = request.timeout ?? configuration.requestTimeout {
            options.set(CURLOPT_TIMEOUT_MS, Self.milliseconds(timeout))
        }
        options.set(CURLOPT_FOLLOWLOCATION, 1)
        options.set(CURLOPT_MAXREDIRS, configuration.maxRedirects)
        options.set(CURLOPT_USERAGENT, configuration.userAgent)
        options.set(CURLOPT_ACCEPT_ENCODING, "")  // every encoding libcurl can decode

        var list: UnsafeMutablePointer<curl_slist>?
        for field in request.headers.fields { list = curl_slist_append(list, "\(field.name): \(field.value)") }
        if let token = configuration.bearerToken,
            request.headers["authorization"] == nil
        {
            list = curl_slist_append(list, "Authorization: Bearer \(token)")
        }
        list = curl_slist_append(list, "Expect:")  // never wait for 100-continue
        headerList = list
        options.set(CURLOPT_HTTPHEADER, list: list)

        // A POST always carries a body here: without one libcurl would read the upload from stdin.
        if let body = request.body ?? (request.method == "POST" ? [] : nil) {
            options.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: curl_off_t(body.count))
            var copy = body.isEmpty ? [0] : body  // a valid pointer even for an empty body
            copy.withUnsafeMutableBytes { options.set(CURLOPT_COPYPOSTFIELDS, pointer: $0.baseAddress) }
            if request.method != "POST" { options.set(CURLOPT_CUSTOMREQUEST, request.method) }
        } else if request.method == "HEAD" {
            options.set(CURLOPT_NOBODY, 1)
        } else if request.method == "GET" {
            options.set(CURLOPT_HTTPGET, 1)
        } else {
            options.set(CURLOPT_CUSTOMREQUEST, request.method)
        }
        startTime = .now
        guard let (option, code) = options.failure else { return nil }
        return HTTPClientError(
            kind: .other,
            message: "setting libcurl option \(option.rawValue): \(String(cString: curl_easy_strerror(code)))",
            url: request.url)
    }

    /// Detaches from the easy handle and turns libcurl's result into the outcome. Loop thread.
    func complete(code: CURLcode) -> Outcome {
        guard let handle = easy else { return failure(.other, "transfer completed without a handle") }
        defer { detach() }
        if overCap, let cap = request.maxResponseBytes {
            return failure(.responseTooLarge, "the body exceeded the \(cap)-byte cap")
        }
        guard code == CURLE_OK else {
            let detail =
                errorBuffer.pointee != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
            return .failure(HTTPClientError(kind: Self.kind(of: code), message: detail, url: request.url))
        }
        var status = 0
        _ = shim_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(
            HTTPResponse(
                status: status, headers: headers, body: body, events: events, startTime: startTime,
                firstByteTime: firstByteTime, endTime: .now))
    }

    /// Forgets the easy handle and frees the header list (the handle itself goes back to the loop's pool).
    func detach() {
        easy = nil
        if let headerList { curl_slist_free_all(headerList) }
        headerList = nil
    }

    // MARK: - Callbacks (loop thread, inside curl_multi_perform)

    fileprivate func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        if firstByteTime == nil { firstByteTime = .now }
        if ASCIIBytes.all(bytes) {
            receiveASCIIHeaderLine(bytes)
            return
        }
        var text = Substring(String(decoding: bytes, as: UTF8.self))
        while text.last?.isNewline == true { text.removeLast() }
        if text.hasPrefix("HTTP/") {
            headers = HTTPHeaders()  // a new response (after a redirect or an interim 1xx)
        } else if let colon = text.firstIndex(of: ":") {
            let value = text[text.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            headers.add(name: String(text[..<colon]), value: String(value))
        }
    }

    /// ``receiveHeaderLine(_:)`` for an ASCII line (every header line in practice), on the bytes: the same
    /// trailing line breaks removed (`Character.isNewline` in ASCII: LF, VT, FF, CR), the same split at the first
    /// `:` and the same leading spaces and tabs dropped from the value.
    private func receiveASCIIHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        var end = bytes.count
        while end > 0, (0x0A...0x0D).contains(bytes[end - 1]) { end -= 1 }
        let line = UnsafeRawBufferPointer(rebasing: bytes[0..<end])
        if line.starts(with: "HTTP/".utf8) {
            headers = HTTPHeaders()  // a new response (after a redirect or an interim 1xx)
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        var start = colon + 1
        while start < end, line[start] == 0x20 || line[start] == 0x09 { start += 1 }
        headers.add(
            name: String(decoding: UnsafeRawBufferPointer(rebasing: line[0..<colon]), as: UTF8.self),
            value: String(decoding: UnsafeRawBufferPointer(rebasing: line[start..<end]), as: UTF8.self))
    }

    /// Takes a slice of the body; returns false (stop the transfer) once the body passes the request's cap.
    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if let cap = request.maxResponseBytes, body.count + bytes.count > cap {
            overCap = true
            return false
        }
        if !bodyStarted {
            bodyStarted = true
            let type = headers["Content-Type"]?.lowercased() ?? ""
            if onEvent != nil || type.hasPrefix("text/event-stream") { parser = SSEParser() }
        }
        body.append(contentsOf: bytes)
        guard parser != nil else { return true }
        let completed = parser!.feed(bytes)
        guard !completed.isEmpty else { return true }
        let now = ContinuousClock.now
        for event in completed {
            events.append(TimedSSEEvent(event: event, time: now))
            onEvent?(event, now)
        }
        return true
    }

    // MARK: - Helpers

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    private static func kind(of code: CURLcode) -> HTTPClientError.Kind {
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_SEND_ERROR,
            CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_SSL_CONNECT_ERROR, CURLE_HTTP2,
            CURLE_HTTP2_STREAM:
            return .connectionFailed
        case CURLE_TOO_MANY_REDIRECTS:
            return .tooManyRedirects
        case CURLE_ABORTED_BY_CALLBACK:
            return .cancelled
        default:
            return .other
        }
    }
}

/// Sets options on one easy handle through the typed shims, keeping the first failure.
private struct EasyOptions {
    let handle: UnsafeMutableRawPointer
    private(set) var failure: (option: CURLoption, code: CURLcode)?

    init(handle: UnsafeMutableRawPointer) { self.handle = handle }

    mutating func set(_ option: CURLoption, _ value: Int) {
        record(option, shim_easy_setopt_long(handle, option, value))
    }

    mutating func set(_ option: CURLoption, _ value: String) {
        record(option, shim_easy_setopt_string(handle, option, value))
    }

    mutating func set(_ option: CURLoption, offset value: curl_off_t) {
        record(option, shim_easy_setopt_off_t(handle, option, value))
    }

    mutating func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) {
        record(option, shim_easy_setopt_pointer(handle, option, pointer))
    }

    mutating func set(_ option: CURLoption, pointer: UnsafeMutablePointer<CChar>) {
        set(option, pointer: UnsafeMutableRawPointer(pointer))
    }

    mutating func set(_ option: CURLoption, list: UnsafeMutablePointer<curl_slist>?) {
        record(option, shim_easy_setopt_slist(handle, option, list))
    }

    mutating func set(_ option: CURLoption, callback: curl_write_callback) {
        record(option, shim_easy_setopt_write_callback(handle, option, callback))
    }

    private mutating func record(_ option: CURLoption, _ code: CURLcode) {
        if code != CURLE_OK, failure == nil { failure = (option, code) }
    }
}

/// CURLOPT_HEADERFUNCTION: one header line per call; `userdata` is the unretained ``CurlTransfer``.
private let curlOnHeader: curl_write_callback = { buffer, size, count, userdata in
    let length = size * count
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
    transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: buffer, count: length))
    return length
}

/// CURLOPT_WRITEFUNCTION: an arbitrary slice of the body; `userdata` is the unretained ``CurlTransfer``.
private let curlOnBody: curl_write_callback = { buffer, size, count, userdata in
    let length = size * count
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
    // Returning less than `length` makes libcurl abort the transfer with CURLE_WRITE_ERROR.
    return transfer.receiveBody(UnsafeRawBufferPointer(start: buffer, count: length)) ? length : 0
}
