import MoECore
import Testing

@testable import SimEngine

/// The one driver, stepped by hand: no threads, no sockets, no wall clock.
@Suite struct EngineDriverTests {
    @Test func frontendLatencyDelaysAdmissionAndStepsAdvanceTheClock() throws {
        let driver = EngineDriver(core: try EngineCore(config: EngineFixture.config()))
        #expect(driver.nextEventTime == nil)
        driver.submit(EngineFixture.request(1, prompt: 100, output: 3), at: 2.0)
        // The API server's loop receives the request, the tokenizer thread tokenises it, the loop submits it and
        // the engine sees it after the hand-off. (The driver's first events are the API server's work.)
        let c = driver.core.config.calibration
        let reach =
            2.0 + c.apiRequestOverhead + 100 * c.apiPromptTokenOverhead + c.apiSubmitOverhead + driver.frontendLatency
        #expect(driver.nextEventTime == 2.0)
        var first = driver.advance()
        while first.admitted.isEmpty, driver.nextEventTime != nil { first = driver.advance() }
        #expect(first.admitted == [1])
        let prefill = try #require(first.outcome)
        #expect(abs(prefill.start - reach) < 1e-12 && driver.now == prefill.end)
        // A request sent while the prefill runs is seen by a later step, never by the running one.
        driver.submit(EngineFixture.request(2, prompt: 50, output: 2), at: prefill.start + 1e-6)
        var finished: Set<UInt64> = []
        var delivered: Set<UInt64> = []
        while driver.nextEventTime != nil {
            let step = driver.advance()
            for e in step.outcome?.events ?? [] where e.finished != nil { finished.insert(e.id) }
            for d in step.delivered where d.finished != nil { delivered.insert(d.id) }
        }
        #expect(finished == [1, 2] && delivered == [1, 2])
        #expect(driver.unfinished == 0)
    }

    @Test func abortRemovesARequestOnItsWayOrInTheEngine() throws {
        let driver = EngineDriver(core: try EngineCore(config: EngineFixture.config()))
        driver.submit(EngineFixture.request(1, prompt: 100, output: 50), at: 0)
        driver.submit(EngineFixture.request(2, prompt: 100, output: 50), at: 10)
        _ = driver.advance()
        driver.abort(id: 1)
        driver.abort(id: 2)
        #expect(driver.unfinished == 0)
        #expect(driver.nextEventTime == nil)
    }

    @Test func clocksMapSimulatedTimeToWallDeadlines() {
        var paced = PacedClock(speedup: 10, wall: 100)
        #expect(paced.wallDeadline(forSim: 5) == 100.5)
        #expect(paced.simTime(atWall: 101) == 10)
        paced.anchor(sim: 7, wall: 200)
        #expect(paced.simTime(atWall: 200) == 7)
        var virtual = VirtualClock()
        virtual.anchor(sim: 3, wall: 50)
        #expect(virtual.wallDeadline(forSim: 1e9) == nil && virtual.simTime(atWall: 1e9) == 3)
    }
}
