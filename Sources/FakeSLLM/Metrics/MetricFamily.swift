/// One Prometheus metric family: its name, help text, type, label names and, for histograms, bucket bounds
/// (docs/metrics.md).
package struct MetricFamily: Sendable, Equatable {
    /// Prometheus metric types this server exposes.
    package enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    /// The base name; counters are exposed with `_total` appended, as prometheus_client does.
    package let name: String
    package let help: String
    package let kind: Kind
    let labelNames: [String]
    /// Upper bounds of a histogram's buckets, ascending, without `+Inf` (added when rendering).
    let buckets: [Double]

    /// A family; only histograms take `buckets`.
    package init(name: String, help: String, kind: Kind, labelNames: [String], buckets: [Double] = []) {
        precondition(kind == .histogram || buckets.isEmpty, "only histograms have buckets")
        self.name = name
        self.help = help
        self.kind = kind
        self.labelNames = labelNames
        self.buckets = buckets
    }

    /// The name samples carry (`<name>_total` for counters).
    var exposedName: String { kind == .counter ? name + "_total" : name }
}
