/// Why the server would not start a recording, classified once from its answer (docs/evaluator.md "Recording
/// routes"): the only signal ServerlessLLM gives is the status and the text, so this is the one place that reads
/// the text. A value type: `Sendable`.
package enum RecordingRefusal: Sendable, Equatable {
    /// HTTP 400: the model is deployed with a backend that does not record (e.g. `vllm`, not `vllm_moecap`).
    case unsupportedBackend(String)
    /// HTTP 200 `{"status": "error", "message": "No ready instances available"}`: scaled to zero or loading.
    case noReadyInstance
    /// HTTP 404: the model is not registered.
    case modelNotFound(String)
    /// HTTP 404 `{"detail": "Not Found"}`: the server has no such route (not ServerlessLLM's MoE-CAP branch, e.g.
    /// a plain vLLM server).
    case noRecordingRoutes
    /// Anything else (the server unreachable, a 500, ...).
    case other(ServerFailure)

    package init(_ failure: ServerFailure) {
        if failure.status == 400, failure.message.contains("does not support") {
            self = .unsupportedBackend(failure.message)
        } else if failure.cause == .errorAnswer, failure.message.contains("No ready instances available") {
            self = .noReadyInstance
        } else if failure.status == 404, failure.message == "Not Found" {
            self = .noRecordingRoutes
        } else if failure.status == 404 {
            self = .modelNotFound(failure.message)
        } else {
            self = .other(failure)
        }
    }

    /// The seed README's troubleshooting advice, several lines.
    package var advice: String {
        switch self {
        case .unsupportedBackend(let message):
            return """
                ✗ Model does not support batch recording: \(message)
                Make sure your model is deployed with backend: "vllm_moecap" in the config file, e.g.
                  {"model": "<model>", "backend": "vllm_moecap", ...}
                """
        case .noReadyInstance:
            return "✗ Recording could not start: no ready instance of the model (is it deployed and loaded?)"
        case .modelNotFound(let message):
            return "✗ Recording could not start: \(message) (deploy it first, e.g. POST /register)"
        case .noRecordingRoutes:
            return "✗ Recording could not start: the server has no recording routes (HTTP 404 Not Found); "
                + "batch recording needs ServerlessLLM's MoE-CAP integration (branch jysc/integrate-cap)"
        case .other(let failure):
            return "✗ Recording could not start: \(failure)"
        }
    }
}
