/// The rule that makes a run's simulated arrival times independent of the client's wall-clock jitter
/// (docs/serving.md "Reproducible arrivals").
///
/// Simulated time holds still while a burst of requests is coming in: a request that arrives at an idle
/// deployment (nothing in flight) when no hold is active starts one at the current simulated instant, and every
/// request that arrives while it lasts gets that same instant; each arrival extends the hold by ``window`` of
/// wall time. A request that reaches a busy deployment outside a hold arrives at the current simulated time,
/// unless a burst hold ended less than ten windows ago: then the burst's stragglers start a hold of their own. After a step that finished requests,
/// the clock holds at the step's end the same way, so a client that answers a completion with its next request
/// sends it "at once" in simulated time; that hold ends early once as many requests have arrived as finished.
/// The host applies a burst's requests in a canonical order (their simulated instant, then a content key), so
/// the order in which they happened to arrive does not matter either.
///
/// A plain value; the owner keeps it behind its lock. Times: `wall` in monotonic seconds, `sim` in simulated
/// seconds.
struct ArrivalHold: Sendable {
    /// How long a hold waits for the next arrival (wall seconds); 0 turns holds off.
    let window: Double
    /// The held simulated instant, while a hold is active or has not been released yet.
    private(set) var sim: Double?
    private var until = 0.0
    private var expected: Int?
    private var received = 0
    /// When the last burst hold (not a completion hold) ended (wall).
    private var lastBurstEnd = -Double.infinity

    init(window: Double) { self.window = window }

    /// Whether simulated time must not move at wall moment `wall`.
    func isHolding(atWall wall: Double) -> Bool { sim != nil && wall < until }

    /// When the active hold ends (wall), if one is active.
    var deadline: Double? { sim == nil ? nil : until }

    /// A request arrived at wall moment `wall`, when simulated time outside a hold would be `simNow`; `idle`
    /// says whether the deployment had nothing in flight. Returns its simulated arrival time.
    mutating func arrival(atWall wall: Double, simNow: Double, idle: Bool) -> Double {
        guard window > 0 else { return simNow }
        if let held = sim, wall < until {
            received += 1
            if let expected, received >= expected { until = wall } else { until = wall + window }
            return held
        }
        guard idle || wall - lastBurstEnd < 10 * window else { return max(simNow, sim ?? simNow) }
        sim = max(simNow, sim ?? simNow)
        until = wall + window
        expected = nil
        received = 1
        return sim!
    }

    /// `count` requests finished at simulated time `sim`, delivered at wall moment `wall`. `drained`: nothing is
    /// left in flight, so what comes next may as well be a new burst as the clients' answers; the hold then
    /// lasts like a burst hold (a window after the last arrival) instead of ending at the `count`-th arrival.
    mutating func completions(_ count: Int, atSim sim: Double, wall: Double, drained: Bool) {
        guard window > 0, count > 0 else { return }
        if let held = self.sim, wall < until, held >= sim { return }
        self.sim = sim
        until = wall + window
        expected = drained ? nil : count
        received = 0
    }

    /// Ends a hold whose deadline has passed; returns the simulated instant it held, so the owner can let
    /// simulated time resume from there.
    mutating func release(atWall wall: Double) -> Double? {
        guard let held = sim, wall >= until else { return nil }
        if expected == nil { lastBurstEnd = until }
        sim = nil
        return held
    }
}
