import MoECore

/// The answer of a ServerlessLLM control call, judged as the real server means it (sllm_api.md §1): HTTP 200
/// bodies holding `"error"` or `"status": "error"` are failures too.
public enum ServerAnswer: Sendable {
    case ok(JSONValue)
    case failed(ServerFailure)

    public var value: JSONValue? {
        if case .ok(let v) = self { return v }
        return nil
    }
}

/// Why a server call failed, in one line.
public struct ServerFailure: Error, Sendable, CustomStringConvertible {
    public var status: Int?
    public var message: String
    public var description: String { status.map { "HTTP \($0): \(message)" } ?? message }

    /// The model was deployed with a backend that does not record (sllm_api.md §3.9).
    public var isUnsupportedBackend: Bool { message.contains("does not support batch recording") }
    /// The model has no ready instance (scaled to zero or loading).
    public var isNoInstance: Bool { message.contains("No ready instances available") }
}

/// The ServerlessLLM routes the evaluation calls, with the project's HTTP client.
public struct ServerSession: Sendable {
    let client: HTTPClient
    let baseURL: String
    let model: String
    let retry: RetryPolicy
    let timeout: Duration

    public init(client: HTTPClient, baseURL: String, model: String, retry: RetryPolicy, timeout: Duration) {
        self.client = client
        self.baseURL = baseURL
        self.model = model
        self.retry = retry
        self.timeout = timeout
    }

    /// POSTs `{"model": …}` (or `body`) to `path`.
    public func post(_ path: String, _ body: JSONValue? = nil, timeout: Duration? = nil) async -> ServerAnswer {
        let request = HTTPRequest.post(
            url: baseURL + path, json: body ?? ["model": .string(model)], timeout: timeout ?? self.timeout)
        return await send(request)
    }

    /// GETs `path?model=<model>`.
    public func get(_ path: String) async -> ServerAnswer {
        let request = HTTPRequest(
            method: "GET", url: baseURL + path + "?model=" + URLQuery.encode(model), timeout: timeout)
        return await send(request)
    }

    private func send(_ request: HTTPRequest) async -> ServerAnswer {
        do throws(HTTPClientError) {
            let response = try await client.send(request, retrying: retry)
            return ServerSession.judge(status: response.status, body: response.body)
        } catch {
            return .failed(ServerFailure(status: nil, message: error.description))
        }
    }

    /// Turns a status and body into an answer: non-2xx, a non-JSON body, `"error"` or `"status": "error"` fail.
    public static func judge(status: Int, body: [UInt8]) -> ServerAnswer {
        guard let json = try? JSONValue.parse(body) else {
            let text = String(decoding: body.prefix(200), as: UTF8.self)
            return .failed(
                ServerFailure(status: status, message: text.isEmpty ? "empty answer" : "non-JSON answer: \(text)"))
        }
        guard (200..<300).contains(status) else {
            let detail = json["detail"].map { $0.stringValue ?? $0.serialized() } ?? json.serialized()
            return .failed(ServerFailure(status: status, message: detail))
        }
        if let error = json["error"], !error.isNull {
            let message = error.stringValue ?? error["message"]?.stringValue ?? error.serialized()
            return .failed(ServerFailure(status: status, message: message))
        }
        if json["status"] == "error" {
            return .failed(ServerFailure(status: status, message: json["message"]?.stringValue ?? json.serialized()))
        }
        return .ok(json)
    }
}
