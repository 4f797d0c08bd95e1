import MoECore
import SimEngine

/// An HTTP request as the route handlers see it: no sockets, no C types.
package struct HTTPRequest: Sendable {
    package var method: String
    /// The path without the query string, e.g. `/v1/chat/completions`.
    package var path: String
    /// Decoded query parameters in order.
    package var query: [(String, String)]
    package var headers: [(String, String)]
    package var body: [UInt8]
    /// Whether the client that sent the request has gone (set by the HTTP layer); a long body parse asks it and
    /// stops early (docs/http.md, "Lifecycle").
    package var isAbandoned: @Sendable () -> Bool = { false }

    package init(
        method: String, path: String, query: [(String, String)] = [], headers: [(String, String)] = [],
        body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// A request with a JSON body.
    package init(method: String, path: String, json: JSONValue) {
        self.init(method: method, path: path, body: json.serializedBytes())
    }

    /// The first query parameter named `name`.
    func queryValue(_ name: String) -> String? { query.first { $0.0 == name }?.1 }

    /// `await request.json()` as Starlette does it: the body parsed as JSON, nil when empty or invalid.
    func jsonBody() -> JSONValue? { try? JSONValue.parse(body, shouldStop: isAbandoned) }
}

/// A complete HTTP response.
package struct HTTPResponse: Sendable {
    package var status: Int
    package var contentType: String
    package var body: [UInt8]
    package var headers: [(String, String)]

    package init(status: Int, contentType: String, body: [UInt8], headers: [(String, String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    /// A JSON response serialized like Starlette's `JSONResponse` (compact separators, UTF-8).
    package static func json(_ value: JSONValue, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json", body: value.serializedBytes(compact: true))
    }

    /// FastAPI's `HTTPException(status, detail)`: `{"detail": "<text>"}` (docs/sllm-api.md §1).
    package static func detail(_ text: String, status: Int) -> HTTPResponse {
        json(["detail": .string(text)], status: status)
    }

    /// Starlette's `ServerErrorMiddleware` answer to an uncaught exception: 500, `text/plain`,
    /// body exactly `Internal Server Error` (docs/sllm-api.md §1).
    static let internalServerError = HTTPResponse(
        status: 500, contentType: "text/plain; charset=utf-8", body: Array("Internal Server Error".utf8))

    /// The parsed JSON body, if it is JSON (for tests).
    var jsonBody: JSONValue? { try? JSONValue.parse(body) }
}
