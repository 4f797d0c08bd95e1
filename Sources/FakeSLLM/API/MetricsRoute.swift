extension SLLMAPI {
    /// `GET /metrics` (both modes): the Prometheus text of every deployment (docs/metrics.md).
    func prometheusMetrics() -> Reply {
        .now(
            HTTPResponse(
                status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8",
                body: Array(registry.metrics.render().utf8)))
    }
}
