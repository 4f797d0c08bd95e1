import EvaluatorClient
import MoECore

/// The ServerlessLLM control routes the evaluation calls (recording, status), over any ``HTTPTransport``.
///
/// A value type: `Sendable`; calls may run concurrently from any task.
struct ServerSession: Sendable {
    let transport: any HTTPTransport
    let baseURL: String
    let model: String
    let retry: RetryPolicy
    let timeout: Duration

    init(transport: any HTTPTransport, baseURL: String, model: String, retry: RetryPolicy, timeout: Duration) {
        self.transport = transport
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.model = model
        self.retry = retry
        self.timeout = timeout
    }

    /// POSTs `{"model": …}` (or `body`) to `path`.
    func post(_ path: String, _ body: JSONValue? = nil, timeout: Duration? = nil) async -> ServerAnswer {
        let request = HTTPRequest.post(
            url: baseURL + path, json: body ?? ["model": .string(model)], timeout: timeout ?? self.timeout)
        return await send(request)
    }

    /// GETs `path?model=<model>` (or `path` alone when `withModel` is false).
    func get(_ path: String, withModel: Bool = true, timeout: Duration? = nil) async -> ServerAnswer {
        let query = withModel ? "?model=" + URLQuery.encode(model) : ""
        return await send(HTTPRequest(method: "GET", url: baseURL + path + query, timeout: timeout ?? self.timeout))
    }

    /// Sends `request` under the retry policy and judges the answer.
    func send(_ request: HTTPRequest) async -> ServerAnswer {
        do throws(HTTPClientError) {
            let response = try await transport.send(request, retrying: retry)
            return ServerAnswer.judge(status: response.status, body: response.body)
        } catch {
            return .failed(ServerFailure(.transport(error.kind), error.description))
        }
    }
}
