import MoECore
import SimEngine

/// An HTTP request as the route handlers see it: no sockets, no C types.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The path without the query string, e.g. `/v1/chat/completions`.
    public var path: String
    /// Decoded query parameters in order.
    public var query: [(String, String)]
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Whether the client that sent the request has gone (set by the HTTP layer); a long body parse asks it and
    /// stops early (docs/http.md, "Lifecycle").
    public var isAbandoned: @Sendable () -> Bool = { false }

    public init(
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
    public init(method: String, path: String, json: JSONValue) {
        self.init(method: method, path: path, body: json.serializedBytes())
    }

    /// The first query parameter named `name`.
    func queryValue(_ name: String) -> String? { query.first { $0.0 == name }?.1 }

    /// `await request.json()` as Starlette does it: the body parsed as JSON, nil when empty or invalid.
    func jsonBody() -> JSONValue? { try? JSONValue.parse(body, shouldStop: isAbandoned) }
}

/// A complete HTTP response.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    public var headers: [(String, String)]

    public init(status: Int, contentType: String, body: [UInt8], headers: [(String, String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    /// A JSON response serialized like Starlette's `JSONResponse` (compact separators, UTF-8).
    public static func json(_ value: JSONValue, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json", body: value.serializedBytes(compact: true))
    }

    /// FastAPI's `HTTPException(status, detail)`: `{"detail": "<text>"}` (docs/sllm-api.md §1).
    public static func detail(_ text: String, status: Int) -> HTTPResponse {
        json(["detail": .string(text)], status: status)
    }

    /// Starlette's `ServerErrorMiddleware` answer to an uncaught exception: 500, `text/plain`,
    /// body exactly `Internal Server Error` (docs/sllm-api.md §1).
    static let internalServerError = HTTPResponse(
        status: 500, contentType: "text/plain; charset=utf-8", body: Array("Internal Server Error".utf8))

    /// The parsed JSON body, if it is JSON (for tests).
    var jsonBody: JSONValue? { try? JSONValue.parse(body) }
}
