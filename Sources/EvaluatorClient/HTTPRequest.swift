import MoECore

/// One HTTP request for ``HTTPClient``: method, absolute URL, headers, optional body, optional timeout.
///
/// A value type: `Sendable`, safe to build on any thread and to send several times (retries do).
package struct HTTPRequest: Sendable, Equatable {
    /// The request method, sent as given (`GET`, `POST`, `DELETE`, ...).
    package var method: String
    /// An absolute `http://` or `https://` URL, query string included and already percent-encoded.
    package var url: String
    /// Header fields sent as given; `Host`, `Content-Length` and `Accept-Encoding` are managed by the client.
    package var headers: HTTPHeaders
    /// The request body, sent with a `Content-Length`; nil sends none.
    package var body: [UInt8]?
    /// The whole-request limit (connect, send, wait, receive); nil uses the client's default.
    package var timeout: Duration?
    /// The largest body accepted; a longer one aborts the transfer with
    /// ``HTTPClientError/Kind/responseTooLarge``. nil accepts any size.
    package var maxResponseBytes: Int?
    /// The request's place in a closed loop whose requests the client lets go in order (``ClosedLoopGate``); nil
    /// sends it as soon as a connection slot is free.
    package var turn: ClosedLoopGate.Turn?

    /// - Parameters:
    ///   - method: the request method; defaults to `GET`.
    ///   - url: an absolute URL.
    ///   - headers: extra header fields.
    ///   - body: bytes to send, or nil.
    ///   - timeout: limit for this request, or nil for ``HTTPClient/Configuration/requestTimeout``.
    ///   - maxResponseBytes: the largest body accepted, or nil for any size.
    package init(
        method: String = "GET", url: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil,
        timeout: Duration? = nil, maxResponseBytes: Int? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// A `POST` of `json`, compact, with `Content-Type: application/json`.
    package static func post(
        url: String, json: JSONValue, headers: HTTPHeaders = [:], timeout: Duration? = nil,
        maxResponseBytes: Int? = nil
    ) -> HTTPRequest {
        var headers = headers
        headers.add(name: "Content-Type", value: "application/json")
        return HTTPRequest(
            method: "POST", url: url, headers: headers, body: json.serializedBytes(compact: true), timeout: timeout,
            maxResponseBytes: maxResponseBytes)
    }
}
