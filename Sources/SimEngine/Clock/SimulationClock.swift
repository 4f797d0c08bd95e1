/// How simulated time relates to the wall clock for whoever runs an ``EngineDriver`` (docs/engine.md "Clocks").
///
/// A clock is anchored: simulated time `anchorSim` corresponds to wall moment `anchorWall` (monotonic seconds).
/// Re-anchoring pauses or resumes simulated time without jumps: after idling, or while the server holds the
/// clock for a burst of arrivals (docs/serving.md "Reproducible arrivals").
package protocol SimulationClock: Sendable {
    /// The wall moment at which simulated time `sim` is due, or nil when it is due at once.
    func wallDeadline(forSim sim: Double) -> Double?
    /// The simulated time at wall moment `wall`.
    func simTime(atWall wall: Double) -> Double
    /// From now on, simulated time `sim` corresponds to wall moment `wall`.
    mutating func anchor(sim: Double, wall: Double)
}

/// No pacing: every simulated moment is due at once, and simulated time does not pass with the wall clock
/// (it moves only with the simulation's own events). For `--no-wait`, tests and in-process runs.
package struct VirtualClock: SimulationClock {
    private var anchorSim = 0.0

    package init() {}

    package func wallDeadline(forSim sim: Double) -> Double? { nil }
    package func simTime(atWall wall: Double) -> Double { anchorSim }
    package mutating func anchor(sim: Double, wall: Double) { anchorSim = sim }
}

/// Simulated time runs `speedup` times as fast as the wall clock (`--speedup`).
package struct PacedClock: SimulationClock {
    /// Simulated seconds per wall second (> 0).
    package let speedup: Double
    private var anchorSim = 0.0
    private var anchorWall: Double

    package init(speedup: Double, wall: Double) {
        precondition(speedup > 0, "speedup must be positive")
        self.speedup = speedup
        anchorWall = wall
    }

    package func wallDeadline(forSim sim: Double) -> Double? { anchorWall + (sim - anchorSim) / speedup }
    package func simTime(atWall wall: Double) -> Double { anchorSim + (wall - anchorWall) * speedup }
    package mutating func anchor(sim: Double, wall: Double) {
        anchorSim = sim
        anchorWall = wall
    }
}
