import MoECore

/// The server's Prometheus metrics: families declared once, then counters added to, gauges set and histograms
/// observed by label values (docs/metrics.md). Thread-safe: the engine threads write, `GET /metrics` reads, one
/// lock around both (each call is a few dictionary look-ups).
public final class MetricsRegistry: Sendable {
    /// One label set's current value (counters, gauges) or histogram state.
    struct Series: Sendable {
        var value = 0.0
        /// Per-bucket (non-cumulative) counts; the last is the `+Inf` overflow.
        var bucketCounts: [UInt64] = []
        var sum = 0.0
        var count: UInt64 = 0
    }

    /// A family and its series in first-use order.
    struct FamilyState: Sendable {
        var family: MetricFamily
        var series: [[String]: Series] = [:]
        var order: [[String]] = []
    }

    private struct State {
        var families: [String: FamilyState] = [:]
        var order: [String] = []
        /// Deleted deployments: their series are gone and are not created again (a last step may still report).
        var retired: Set<String> = []
    }
    private let state = Locked(State())

    /// An empty registry.
    public init() {}

    /// Declares a family; declaring the same family again is a no-op.
    func declare(_ family: MetricFamily) {
        state.withLock { s in
            if s.families[family.name] == nil {
                s.families[family.name] = FamilyState(family: family)
                s.order.append(family.name)
            }
        }
    }

    /// Adds `amount` (≥ 0) to a counter.
    func increment(_ name: String, _ labels: [String], by amount: Double = 1) {
        update(name, labels) { $0.value += max(0, amount) }
    }

    /// Sets a gauge.
    public func set(_ name: String, _ labels: [String], to value: Double) {
        update(name, labels) { $0.value = value }
    }

    /// Records one histogram observation.
    func observe(_ name: String, _ labels: [String], _ value: Double) {
        state.withLock { s in
            guard let buckets = s.families[name]?.family.buckets else { return }
            Self.mutate(&s, name, labels) { series in
                let i = buckets.firstIndex { value <= $0 } ?? buckets.count
                series.bucketCounts[i] += 1
                series.sum += value
                series.count += 1
            }
        }
    }

    /// Creates a series at zero without changing it, so it is exposed before its first event (vLLM exposes every
    /// `finished_reason` of `request_success` from the start).
    public func touch(_ name: String, _ labels: [String]) { update(name, labels) { _ in } }

    /// The value of a counter or gauge series (nil when never touched).
    public func value(_ name: String, _ labels: [String]) -> Double? {
        state.withLock { $0.families[name]?.series[labels]?.value }
    }

    /// The count of a histogram series.
    public func count(_ name: String, _ labels: [String]) -> UInt64? {
        state.withLock { $0.families[name]?.series[labels]?.count }
    }

    /// Drops every series of a deleted deployment (label `model_name` = `model`), and keeps them from coming
    /// back until the model is registered again (``reinstate(model:)``), so `/metrics` does not grow with every
    /// deployment ever made (docs/metrics.md).
    public func retire(model: String) {
        state.withLock { s in
            s.retired.insert(model)
            for name in s.order {
                guard var f = s.families[name], let at = f.family.labelNames.firstIndex(of: "model_name") else {
                    continue
                }
                f.order.removeAll { $0[at] == model }
                f.series = f.series.filter { $0.key[at] != model }
                s.families[name] = f
            }
        }
    }

    /// A model registered (again): its series may be created.
    public func reinstate(model: String) { _ = state.withLock { $0.retired.remove(model) } }

    /// The Prometheus text exposition (format 0.0.4) of every family.
    public func render() -> String {
        let snapshot = state.withLock { s in s.order.compactMap { s.families[$0] } }
        return PrometheusText.render(snapshot)
    }

    private func update(_ name: String, _ labels: [String], _ body: (inout Series) -> Void) {
        state.withLock { s in Self.mutate(&s, name, labels, body) }
    }

    /// Runs `body` on the series (created on first use); unknown families and label counts that do not match the
    /// family's label names are ignored.
    private static func mutate(_ s: inout State, _ name: String, _ labels: [String], _ body: (inout Series) -> Void) {
        guard let family = s.families[name]?.family, family.labelNames.count == labels.count else { return }
        if s.families[name]!.series[labels] == nil {
            if !s.retired.isEmpty, let at = family.labelNames.firstIndex(of: "model_name"),
                s.retired.contains(labels[at])
            {
                return
            }
            var fresh = Series()
            if family.kind == .histogram {
                fresh.bucketCounts = [UInt64](repeating: 0, count: family.buckets.count + 1)
            }
            s.families[name]!.series[labels] = fresh
            s.families[name]!.order.append(labels)
        }
        body(&s.families[name]!.series[labels]!)
    }
}
