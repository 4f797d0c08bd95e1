/// What stands between the HTTP gateway and the engines (docs/serving.md "Serving modes").
package enum ServingMode: String, Sendable, CaseIterable {
    /// ServerlessLLM's router and autoscaler: a FIFO queue, the load balancer's 1 s sleep before every
    /// allocation, a per-instance concurrency cap, instances scaled by the autoscaler with cold starts.
    case sllm
    /// A bare vLLM server: every request goes straight into one always-ready engine.
    case direct
}
