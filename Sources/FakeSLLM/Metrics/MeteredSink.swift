import SimEngine

/// Passes a request's progress on to the API's sink and tells the metrics when the request never ran
/// (docs/metrics.md): a refused request is forgotten, not counted as finished.
final class MeteredSink: RequestSink {
    private let inner: any RequestSink
    private let metrics: EngineMetrics
    private let id: UInt64

    /// Wraps `inner`, the sink of engine request `id`.
    init(_ inner: any RequestSink, metrics: EngineMetrics, id: UInt64) {
        self.inner = inner
        self.metrics = metrics
        self.id = id
    }

    func deliver(newTokens: Int, finished: FinishReason?, simTime: Double) {
        inner.deliver(newTokens: newTokens, finished: finished, simTime: simTime)
    }

    func fail(_ message: String, engineError: Bool) {
        metrics.requestFailed(id: id)
        inner.fail(message, engineError: engineError)
    }
}
