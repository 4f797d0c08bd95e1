import MoECore
import Testing

@testable import FakeSLLM

/// docs/serving.md "Reproducible arrivals" (rule 3) and "Idle time and control calls": what the HTTP layer reports.
@Suite struct TransportActivityTests {
    @Test func requestsAreInTransitExceptWhileTheyWaitOnAnEngine() {
        let t = TransportActivity()
        #expect(t.requestsInTransit == 0 && t.lastEventWall == -.infinity)
        t.connectionOpened(atWall: 1)
        #expect(t.lastEventWall == 1)
        let control = t.requestStarted(method: "POST", path: "/v1/chat/completions", atWall: 2)
        #expect(!control && t.requestsInTransit == 1)
        t.requestWaiting()
        #expect(t.requestsInTransit == 0)
        t.requestResumed()
        #expect(t.requestsInTransit == 1)
        t.requestEnded(atWall: 3, waiting: false, control: false)
        #expect(t.requestsInTransit == 0 && t.lastEventWall == 3)
        // Ended while waiting (client gone): not counted twice.
        _ = t.requestStarted(method: "POST", path: "/v1/completions", atWall: 4)
        t.requestWaiting()
        t.requestEnded(atWall: 5, waiting: true, control: false)
        #expect(t.requestsInTransit == 0)
        // Events never move the last moment back.
        t.requestLineSeen(connection: 1, atWall: 4.5)
        #expect(t.lastEventWall == 5)
    }

    @Test func reactionsAreTimedOnTheConnectionThatWasAnswered() {
        let t = TransportActivity()
        #expect(t.slowestRecentReaction == 0)
        t.connectionAnswered(7, atWall: 10)
        t.connectionAnswered(8, atWall: 10)
        t.requestLineSeen(connection: 7, atWall: 10.004)
        t.requestLineSeen(connection: 9, atWall: 10.5)  // never answered: no reaction
        #expect(abs(t.slowestRecentReaction - 0.004) < 1e-9)
        t.connectionClosed(8)
        t.requestLineSeen(connection: 8, atWall: 11)  // a new connection at a reused key: no reaction
        #expect(abs(t.slowestRecentReaction - 0.004) < 1e-9)
        // Only the latest reactions count.
        for i in 0..<TransportActivity.reactionMemory {
            t.connectionAnswered(UInt(100 + i), atWall: 20)
            t.requestLineSeen(connection: UInt(100 + i), atWall: 20.001)
        }
        #expect(abs(t.slowestRecentReaction - 0.001) < 1e-9)
    }

    @Test func controlCallsCountTheirWallTimeOnceWhenTheyOverlap() {
        let t = TransportActivity()
        #expect(t.requestStarted(method: "POST", path: "/dump_expert_distribution", atWall: 10))
        #expect(t.requestStarted(method: "GET", path: "/v1/models", atWall: 10.5))
        #expect(t.controlBusyTime(atWall: 11) == 1)
        t.requestEnded(atWall: 11, waiting: false, control: true)
        t.requestEnded(atWall: 12, waiting: false, control: true)
        #expect(t.controlBusyTime(atWall: 20) == 2)
        // Generations are not control calls.
        _ = t.requestStarted(method: "POST", path: "/v1/chat/completions", atWall: 30)
        #expect(t.controlBusyTime(atWall: 31) == 2)
    }

    @Test func openAIModeHoldsOnlyWhenAsked() {
        var s = SimulatorSettings()
        s.speedup = nil
        #expect(s.effectiveBurstWindow == 0.05)
        s.api = .openai
        #expect(s.effectiveBurstWindow == 0)
        s.reproducible = true
        #expect(s.effectiveBurstWindow == 0.05)
        s.reproducible = false
        s.burstWindowSeconds = 0.01
        #expect(s.effectiveBurstWindow == 0.01)
    }

    @Test func reproducibleIsADeployConfigKey() throws {
        var s = SimulatorSettings()
        s.api = .openai
        let t = try s.applying(.object(["reproducible": .bool(true)]))
        #expect(t.reproducible && t.effectiveBurstWindow > 0)
        #expect(throws: SettingsError.self) { try s.applying(.object(["reproducible": .string("yes")])) }
    }
}
