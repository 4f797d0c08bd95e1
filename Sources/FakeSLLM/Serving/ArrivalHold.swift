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
/// Where the host can see the transport (``TransportActivity``), a completion hold while requests remain in
/// flight also ends as soon as no answer can come: no request is in transit (being received or handled, or
/// answered and not yet sent) and no connection opened, sent a request line or received an answer for the grace
/// (``endIfNobodyCanArrive``): ``grace``, or twice the slowest of the clients' recent reactions when that is
/// longer, never more than ``window``. Burst holds keep the window: a burst's next request may come from a client
/// that has not connected yet.
///
/// Requests of a client that declares itself closed-loop (``ClosedLoopPlan``) are held for by count, not by time:
/// the owner passes how many arrivals the declared clients still owe (``ClosedLoopClients``), and the hold lasts
/// while any are owed (up to ``declaredPatience`` after the last declared event) and ends the moment none are, or
/// at once when none are owed and no undeclared request finished or arrived. The window and the grace above
/// apply to undeclared requests only.
///
/// A plain value; the owner keeps it behind its lock. Times: `wall` in monotonic seconds, `sim` in simulated
/// seconds.
struct ArrivalHold: Sendable {
    /// How long a hold waits for the next arrival (wall seconds); 0 turns holds off.
    let window: Double
    /// The least time after the transport's last event in which an arrival may still come (wall seconds; at most
    /// ``window``).
    let grace: Double
    /// The grace in effect: twice the slowest recent reaction (``TransportActivity/slowestRecentReaction``),
    /// at least ``grace`` and at most ``window``.
    private(set) var currentGrace: Double
    /// The held simulated instant, while a hold is active or has not been released yet.
    private(set) var sim: Double?
    /// When the hold's undeclared part ends (wall): a window after its last undeclared arrival, or at once when
    /// it has none to wait for.
    private var undeclaredUntil = -Double.infinity
    /// When the hold stops waiting for owed declared arrivals (wall).
    private var declaredUntil = -Double.infinity
    /// Undeclared arrivals the hold waits for (the undeclared requests a step finished); nil: as many as come
    /// within a window of each other (a burst, or what follows a step that drained the deployment).
    private var expected: Int?
    /// Undeclared arrivals during the hold.
    private var received = 0
    /// Arrivals the declared closed-loop clients still owe (``ClosedLoopClients/owed``).
    private(set) var owed = 0
    private var until: Double { max(undeclaredUntil, owed > 0 ? declaredUntil : -.infinity) }
    /// When the last burst hold (not a completion hold) ended (wall).
    private var lastBurstEnd = -Double.infinity

    init(window: Double, grace: Double = ArrivalHold.defaultGrace) {
        self.window = window
        self.grace = min(window, grace)
        currentGrace = self.grace
    }

    /// Sets the grace in effect from how fast the clients have been reacting: a loaded machine slows them, and the
    /// grace grows with them, so their answers still fall into the holds.
    mutating func adapt(slowestReaction: Double) {
        currentGrace = min(window, max(grace, 2 * slowestReaction))
    }

    /// The grace a client has to react to an answer it received (or to a connection it opened) with a request:
    /// 20 ms of wall time (docs/serving.md "Reproducible arrivals"): at 2 ms, three fresh servers given the same
    /// closed-loop evaluation (concurrency 8, 50 items, `--no-wait`) recorded 688, 689 and 690 steps on an idle
    /// 2-core machine; at 20 ms, identical records in three runs for 0.1-0.3 s more wall time.
    static let defaultGrace = 0.02

    /// How long (wall seconds) a hold waits for an arrival a declared closed-loop client owes, after the last
    /// declared event: long enough for a client starved of CPU, short enough that a client that stopped (killed,
    /// interrupted) costs one pause. A client that does not send within it is waited for no more.
    static let declaredPatience = 2.0

    /// Whether simulated time must not move at wall moment `wall`.
    func isHolding(atWall wall: Double) -> Bool { sim != nil && wall < until }

    /// When the active hold ends (wall), if one is active.
    var deadline: Double? { sim == nil ? nil : until }

    /// Whether the active hold waits for the answers to a step's completions while requests remain in flight (the
    /// holds ``endIfNobodyCanArrive`` may end early).
    var waitsForAnswers: Bool { sim != nil && expected != nil && received < expected! }

    /// A request arrived at wall moment `wall`, when simulated time outside a hold would be `simNow`; `idle`
    /// says whether the deployment had nothing in flight, `declared` whether its client declared a closed-loop
    /// plan, and `owed` how many arrivals the declared clients owe now (this one counted). Returns its simulated
    /// arrival time.
    mutating func arrival(
        atWall wall: Double, simNow: Double, idle: Bool, declared: Bool = false, owed: Int = 0
    ) -> Double {
        guard window > 0 else { return simNow }
        if let held = sim, wall < until {
            note(declared: declared, owed: owed, atWall: wall)
            return held
        }
        let startsHold = idle || wall - lastBurstEnd < 10 * window || (declared && owed > 0)
        self.owed = owed
        guard startsHold else { return max(simNow, sim ?? simNow) }
        sim = max(simNow, sim ?? simNow)
        expected = nil
        received = 0
        undeclaredUntil = -.infinity
        declaredUntil = -.infinity
        note(declared: declared, owed: owed, atWall: wall)
        return sim!
    }

    /// An arrival joined the hold.
    private mutating func note(declared: Bool, owed: Int, atWall wall: Double) {
        self.owed = owed
        if declared {
            declaredUntil = wall + Self.declaredPatience
            // A hold after a step that drained the deployment waits a window for whatever comes next. When a
            // declared client comes first, what comes next is its burst, counted by what it owes: the undeclared
            // window ends, as a burst hold that a declared request starts has none (docs/serving.md).
            if expected == nil, received == 0 { undeclaredUntil = min(undeclaredUntil, wall) }
            return
        }
        received += 1
        if let expected, received >= expected { undeclaredUntil = wall } else { undeclaredUntil = wall + window }
    }

    /// The declared clients owe `owed` arrivals now (a request of theirs finished or was abandoned outside
    /// ``completions(_:undeclared:atSim:wall:drained:owed:)``).
    mutating func owe(_ owed: Int, atWall wall: Double) {
        if owed > self.owed { declaredUntil = max(declaredUntil, wall + Self.declaredPatience) }
        self.owed = owed
    }

    /// `count` requests finished at simulated time `sim`, delivered at wall moment `wall`; `undeclared` of them
    /// came from clients that declared no plan, and the declared clients now owe `owed` arrivals. `drained`:
    /// nothing is left in flight, so what comes next may as well be a new burst as the undeclared clients'
    /// answers; the undeclared part then lasts like a burst hold (a window after the last arrival) instead of
    /// ending at the `undeclared`-th arrival. With nothing undeclared finished and nothing owed, no hold starts.
    mutating func completions(
        _ count: Int, undeclared: Int? = nil, atSim sim: Double, wall: Double, drained: Bool, owed: Int = 0
    ) {
        guard window > 0, count > 0 else { return }
        let undeclared = undeclared ?? count
        if let held = self.sim, wall < until, held >= sim {
            owe(owed, atWall: wall)
            return
        }
        self.owed = owed
        guard undeclared > 0 || owed > 0 else { return }
        self.sim = sim
        expected = undeclared == 0 ? 0 : drained ? nil : undeclared
        received = 0
        undeclaredUntil = undeclared == 0 ? -.infinity : wall + window
        declaredUntil = wall + Self.declaredPatience
    }

    /// Ends the active completion hold (one that waits for the answers to a step's completions while other
    /// requests are in flight) at wall moment `wall` when no answer can come any more: `inTransit` requests are
    /// on their way at the transport (received and not yet submitted, or answered and not yet sent), and the
    /// transport's last event (a connection opened, a request line, an answer sent in full) was at wall moment
    /// `lastEvent`. With nothing in transit and no event for ``grace``, nobody is left to send the requests the
    /// hold waits for. Returns whether it ended the hold.
    mutating func endIfNobodyCanArrive(atWall wall: Double, inTransit: Int, lastEvent: Double) -> Bool {
        guard waitsForAnswers, wall < undeclaredUntil, inTransit <= 0, wall >= lastEvent + currentGrace else {
            return false
        }
        undeclaredUntil = wall
        return true
    }

    /// When the transport can next be quiet for long enough to end the hold (wall), given its last event; used to
    /// sleep until then.
    func quietMoment(lastEvent: Double) -> Double { lastEvent + currentGrace }

    /// Ends a hold whose deadline has passed; returns the simulated instant it held, so the owner can let
    /// simulated time resume from there. When arrivals are still owed then, the declared clients did not send
    /// them within ``declaredPatience`` (the owner stops waiting for them).
    mutating func release(atWall wall: Double) -> Double? {
        guard let held = sim, wall >= until else { return nil }
        if expected == nil, undeclaredUntil > -.infinity { lastBurstEnd = undeclaredUntil }
        sim = nil
        return held
    }
}
