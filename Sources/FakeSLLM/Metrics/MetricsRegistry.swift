import MoECore

/// The server's Prometheus metrics: families declared once, then counters added to, gauges set and histograms
/// observed by label values (docs/metrics.md). Thread-safe: the engine threads write, `GET /metrics` reads, one
/// lock around both.
///
/// Two ways to write: by family name and label values (a dictionary look-up each), or through a
/// ``SeriesHandle`` resolved once and used inside ``batch(_:)``, where every update of one engine step is an
/// array index under one lock acquisition (the per-step path; docs/metrics.md "Cost").
package final class MetricsRegistry: Sendable {
    /// One label set's current value (counters, gauges) or histogram state.
    struct Series: Sendable {
        var value = 0.0
        /// Per-bucket (non-cumulative) counts; the last is the `+Inf` overflow.
        var bucketCounts: [UInt64] = []
        var sum = 0.0
        var count: UInt64 = 0
    }

    /// A family and its series in first-use order (what the exposition renders).
    struct FamilyState: Sendable {
        var family: MetricFamily
        var series: [[String]: Series] = [:]
        var order: [[String]] = []
    }

    /// Where one series lives: its family's and its own position in the registry's storage. Resolved once
    /// (``Store/handle(_:_:)``); a handle whose series was retired since is ignored by every update.
    struct SeriesHandle: Sendable, Equatable {
        fileprivate let family: Int
        fileprivate let slot: Int
    }

    /// One family's series, in first-use order; retired ones stay as dead slots so handles stay valid.
    fileprivate struct FamilyStore: Sendable {
        var family: MetricFamily
        /// `model_name`'s position among the label names, if the family has it.
        var modelLabel: Int?
        var series: [Series] = []
        var labels: [[String]] = []
        var live: [Bool] = []
        var index: [[String]: Int] = [:]
    }

    /// The registry's storage, mutated under its lock (``batch(_:)``).
    struct Store: Sendable {
        fileprivate var families: [FamilyStore] = []
        fileprivate var byName: [String: Int] = [:]
        /// Deleted deployments: their series are gone and are not created again (a last step may still report).
        fileprivate var retired: Set<String> = []

        /// The series of family `name` with `labels`, created (at zero) on first use; nil for an unknown family,
        /// label values that do not match its label names, or a retired model.
        mutating func handle(_ name: String, _ labels: [String]) -> SeriesHandle? {
            guard let f = byName[name], families[f].family.labelNames.count == labels.count else { return nil }
            if let slot = families[f].index[labels] { return SeriesHandle(family: f, slot: slot) }
            if !retired.isEmpty, let at = families[f].modelLabel, retired.contains(labels[at]) { return nil }
            var fresh = Series()
            if families[f].family.kind == .histogram {
                fresh.bucketCounts = [UInt64](repeating: 0, count: families[f].family.buckets.count + 1)
            }
            let slot = families[f].series.count
            families[f].series.append(fresh)
            families[f].labels.append(labels)
            families[f].live.append(true)
            families[f].index[labels] = slot
            return SeriesHandle(family: f, slot: slot)
        }

        /// `cached` if set, else the handle of `name` with `labels`, stored in `cached` once resolved.
        mutating func handle(_ cached: inout SeriesHandle?, _ name: String, _ labels: @autoclosure () -> [String])
            -> SeriesHandle?
        {
            if let h = cached { return h }
            cached = handle(name, labels())
            return cached
        }

        /// Adds `amount` (≥ 0) to a counter.
        mutating func increment(_ h: SeriesHandle?, by amount: Double = 1) {
            update(h) { $0.value += max(0, amount) }
        }

        /// Sets a gauge.
        mutating func set(_ h: SeriesHandle?, to value: Double) { update(h) { $0.value = value } }

        /// Records one histogram observation.
        mutating func observe(_ h: SeriesHandle?, _ value: Double) {
            guard let h, families[h.family].live[h.slot] else { return }
            let i =
                families[h.family].family.buckets.firstIndex { value <= $0 } ?? families[h.family].family.buckets.count
            families[h.family].series[h.slot].bucketCounts[i] += 1
            families[h.family].series[h.slot].sum += value
            families[h.family].series[h.slot].count += 1
        }

        private mutating func update(_ h: SeriesHandle?, _ body: (inout Series) -> Void) {
            guard let h, families[h.family].live[h.slot] else { return }
            body(&families[h.family].series[h.slot])
        }

        fileprivate func series(_ name: String, _ labels: [String]) -> Series? {
            guard let f = byName[name], let slot = families[f].index[labels] else { return nil }
            return families[f].series[slot]
        }
    }
    private let state = Locked(Store())

    /// An empty registry.
    package init() {}

    /// Declares a family; declaring the same family again is a no-op.
    func declare(_ family: MetricFamily) {
        state.withLock { s in
            if s.byName[family.name] == nil {
                s.byName[family.name] = s.families.count
                s.families.append(
                    FamilyStore(family: family, modelLabel: family.labelNames.firstIndex(of: "model_name")))
            }
        }
    }

    /// Runs `body` with the storage under the lock: resolve handles and update many series at once.
    func batch<T>(_ body: (inout Store) -> T) -> T { state.withLock(body) }

    /// Adds `amount` (≥ 0) to a counter.
    func increment(_ name: String, _ labels: [String], by amount: Double = 1) {
        state.withLock { s in s.increment(s.handle(name, labels), by: amount) }
    }

    /// Sets a gauge.
    package func set(_ name: String, _ labels: [String], to value: Double) {
        state.withLock { s in s.set(s.handle(name, labels), to: value) }
    }

    /// Records one histogram observation.
    func observe(_ name: String, _ labels: [String], _ value: Double) {
        state.withLock { s in
            guard let f = s.byName[name], s.families[f].family.kind == .histogram else { return }
            s.observe(s.handle(name, labels), value)
        }
    }

    /// Creates a series at zero without changing it, so it is exposed before its first event (vLLM exposes every
    /// `finished_reason` of `request_success` from the start).
    package func touch(_ name: String, _ labels: [String]) { state.withLock { s in _ = s.handle(name, labels) } }

    /// The value of a counter or gauge series (nil when never touched).
    package func value(_ name: String, _ labels: [String]) -> Double? {
        state.withLock { $0.series(name, labels)?.value }
    }

    /// The count of a histogram series.
    package func count(_ name: String, _ labels: [String]) -> UInt64? {
        state.withLock { $0.series(name, labels)?.count }
    }

    /// Drops every series of a deleted deployment (label `model_name` = `model`), and keeps them from coming
    /// back until the model is registered again (``reinstate(model:)``), so `/metrics` does not grow with every
    /// deployment ever made (docs/metrics.md). Handles to them go dead.
    package func retire(model: String) {
        state.withLock { s in
            s.retired.insert(model)
            for f in s.families.indices {
                guard let at = s.families[f].modelLabel else { continue }
                for slot in s.families[f].labels.indices
                where s.families[f].live[slot] && s.families[f].labels[slot][at] == model {
                    s.families[f].live[slot] = false
                    s.families[f].index[s.families[f].labels[slot]] = nil
                    // The dead slot's state is dropped; its label values stay only to keep positions.
                    s.families[f].series[slot] = Series()
                }
            }
        }
    }

    /// A model registered (again): its series may be created.
    package func reinstate(model: String) { _ = state.withLock { $0.retired.remove(model) } }

    /// The Prometheus text exposition (format 0.0.4) of every family.
    package func render() -> String {
        let snapshot = state.withLock { s in
            s.families.map { f in
                var state = FamilyState(family: f.family)
                for slot in f.series.indices where f.live[slot] {
                    state.series[f.labels[slot]] = f.series[slot]
                    state.order.append(f.labels[slot])
                }
                return state
            }
        }
        return PrometheusText.render(snapshot)
    }
}
