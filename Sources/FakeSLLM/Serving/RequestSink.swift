import SimEngine

/// Receives one engine request's progress from a ``DeploymentHost``. Called on the host's thread;
/// implementations hand work to other threads through thread-safe objects (``PendingResponse``, ``EventStream``).
protocol RequestSink: AnyObject, Sendable {
    /// `newTokens` tokens were produced by the step that ended at simulated time `simTime` (`finished` set on
    /// the last one).
    func deliver(newTokens: Int, finished: FinishReason?, simTime: Double)
    /// The request could not run: vLLM's error (`engineError`), or the router's (`Instance stopped`).
    func fail(_ message: String, engineError: Bool)
}
