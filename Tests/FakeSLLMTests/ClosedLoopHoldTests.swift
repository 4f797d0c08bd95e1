import Foundation
import MoECore
import Testing

@testable import FakeSLLM

/// docs/serving.md "Reproducible arrivals", rule 5: clients that declare a closed-loop plan are held for by count,
/// never by time.
@Suite struct ClosedLoopHoldTests {
    @Test func planHeaderRoundTripsAndRejectsWhatItCannotUse() throws {
        let plan = ClosedLoopPlan(client: "a1b2", total: 1319, workers: 100)
        #expect(plan.headerValue == "id=a1b2; total=1319; workers=100")
        #expect(ClosedLoopPlan(headerValue: plan.headerValue) == plan)
        #expect(
            ClosedLoopPlan(headerValue: " workers=3 ;id=x;total=9; extra=1")
                == ClosedLoopPlan(client: "x", total: 9, workers: 3))
        #expect(ClosedLoopPlan(headerValue: "id=x; total=9") == nil)
        #expect(ClosedLoopPlan(headerValue: "id=; total=9; workers=1") == nil)
        #expect(ClosedLoopPlan(headerValue: "id=x; total=0; workers=1") == nil)
        #expect(ClosedLoopPlan(headerValue: "id=x; total=many; workers=1") == nil)
        #expect(ClosedLoopPlan.declared(in: [("x-fake-sllm-closed-loop", plan.headerValue)]) == plan)
        #expect(ClosedLoopPlan.declared(in: [("Content-Type", "application/json")]) == nil)
    }

    /// A client of 5 requests with 2 workers: it owes what its freed workers will send, and nothing once all 5
    /// are out; a request of a client that has finished (a retry) owes nothing.
    @Test func clientsOweWhatTheirFreedWorkersSend() {
        let plan = ClosedLoopPlan(client: "c", total: 5, workers: 2)
        var clients = ClosedLoopClients()
        clients.arrived(plan)
        #expect(clients.owed == 1)  // the burst's second request
        clients.arrived(plan)
        #expect(clients.owed == 0)
        clients.finished("c")
        #expect(clients.owed == 1)
        clients.arrived(plan)
        clients.finished("c", count: 2)
        #expect(clients.owed == 2)
        clients.arrived(plan)
        clients.arrived(plan)
        #expect(clients.owed == 0)  // all 5 sent
        clients.finished("c", count: 2)
        #expect(clients.owed == 0)  // nothing left to send
        clients.finished("c")
        clients.arrived(plan)  // a retry after the end
        #expect(clients.owed == 0)
        // Another client that stops sending is given up on.
        let other = ClosedLoopPlan(client: "d", total: 10, workers: 4)
        clients.arrived(other)
        #expect(clients.owed == 3)
        clients.giveUpOnOwing()
        #expect(clients.owed == 0)
        clients.finished("d")
        #expect(clients.owed == 0)
    }

    /// A hold with nobody left to arrive ends at once: after a step whose finished requests all came from declared
    /// clients that owe nothing, no hold starts at all; when they owe arrivals, the hold ends at the last one.
    @Test func declaredHoldEndsTheMomentNothingIsOwed() {
        var hold = ArrivalHold(window: 0.05, grace: 0.02)
        hold.completions(3, undeclared: 0, atSim: 7, wall: 100, drained: false, owed: 0)
        #expect(!hold.isHolding(atWall: 100))
        #expect(hold.deadline == nil)
        // Two owed: no timer ends it, only the arrivals do (here long after the window and the grace).
        hold.completions(2, undeclared: 0, atSim: 8, wall: 200, drained: false, owed: 2)
        #expect(hold.isHolding(atWall: 200.5))
        #expect(!hold.waitsForAnswers)  // nothing for the transport's grace to decide
        #expect(hold.arrival(atWall: 200.6, simNow: 9, idle: false, declared: true, owed: 1) == 8)
        #expect(hold.isHolding(atWall: 201.5))
        #expect(hold.arrival(atWall: 201.6, simNow: 9, idle: false, declared: true, owed: 0) == 8)
        #expect(!hold.isHolding(atWall: 201.6))
        #expect(hold.release(atWall: 201.6) == 8)
        // Drained by declared clients that owe nothing: no burst-like hold either.
        hold.completions(1, undeclared: 0, atSim: 10, wall: 300, drained: true, owed: 0)
        #expect(hold.deadline == nil)
    }

    @Test func declaredBurstHoldsUntilEveryWorkerHasSent() {
        var hold = ArrivalHold(window: 0.05)
        #expect(hold.arrival(atWall: 10, simNow: 1, idle: true, declared: true, owed: 2) == 1)
        #expect(hold.isHolding(atWall: 11))  // a window (0.05 s) would have ended it
        #expect(hold.arrival(atWall: 11, simNow: 1, idle: false, declared: true, owed: 1) == 1)
        #expect(hold.arrival(atWall: 11.5, simNow: 1, idle: false, declared: true, owed: 0) == 1)
        #expect(!hold.isHolding(atWall: 11.5))
        #expect(hold.release(atWall: 11.5) == 1)
    }

    /// Undeclared requests keep the window and grace rules beside the declared ones.
    @Test func undeclaredRequestsKeepTheirWindow() {
        var hold = ArrivalHold(window: 0.05, grace: 0.02)
        hold.completions(2, undeclared: 1, atSim: 5, wall: 50, drained: false, owed: 1)
        #expect(hold.waitsForAnswers)
        #expect(hold.arrival(atWall: 50.001, simNow: 6, idle: false, declared: true, owed: 0) == 5)
        #expect(hold.isHolding(atWall: 50.002))  // the undeclared client's answer may still come
        #expect(hold.arrival(atWall: 50.003, simNow: 6, idle: false) == 5)
        #expect(!hold.isHolding(atWall: 50.003))
        _ = hold.release(atWall: 50.003)
        // Only an undeclared client owes: its grace can end the hold.
        hold.completions(1, undeclared: 1, atSim: 6, wall: 60, drained: false, owed: 0)
        let ended = hold.endIfNobodyCanArrive(atWall: 60.03, inTransit: 0, lastEvent: 60)
        #expect(ended && !hold.isHolding(atWall: 60.03))
    }

    /// An undeclared request that drained the deployment (an evaluator's warm-up) starts a hold that waits a window
    /// for whatever comes next. When a declared client's burst comes first, the hold lasts by count alone: the
    /// burst gets the warm-up's end instant and the hold ends at its last owed arrival, not a window later. An
    /// undeclared first arrival keeps the window.
    @Test func declaredBurstAfterADrainingWarmUpEndsAtItsLastArrival() {
        var hold = ArrivalHold(window: 0.05, grace: 0.02)
        hold.completions(1, undeclared: 1, atSim: 4, wall: 10, drained: true, owed: 0)
        #expect(hold.isHolding(atWall: 10.001))
        #expect(hold.arrival(atWall: 10.002, simNow: 4, idle: true, declared: true, owed: 2) == 4)
        #expect(hold.isHolding(atWall: 10.003))  // two still owed
        #expect(hold.arrival(atWall: 10.003, simNow: 4, idle: false, declared: true, owed: 1) == 4)
        #expect(hold.arrival(atWall: 10.004, simNow: 4, idle: false, declared: true, owed: 0) == 4)
        #expect(!hold.isHolding(atWall: 10.004))  // the window would have held until 10.05
        #expect(hold.release(atWall: 10.004) == 4)

        hold.completions(1, undeclared: 1, atSim: 5, wall: 20, drained: true, owed: 0)
        #expect(hold.arrival(atWall: 20.001, simNow: 5, idle: true) == 5)
        #expect(hold.arrival(atWall: 20.002, simNow: 5, idle: false, declared: true, owed: 0) == 5)
        #expect(hold.isHolding(atWall: 20.03))  // a window after the undeclared arrival
        #expect(!hold.isHolding(atWall: 20.06))
    }

    /// A declared client that stops sending (killed, interrupted) holds the clock for the patience only.
    @Test func declaredHoldGivesUpAfterThePatience() {
        var hold = ArrivalHold(window: 0.05)
        hold.completions(1, undeclared: 0, atSim: 3, wall: 10, drained: false, owed: 1)
        #expect(hold.isHolding(atWall: 10 + ArrivalHold.declaredPatience - 0.01))
        #expect(!hold.isHolding(atWall: 10 + ArrivalHold.declaredPatience))
        #expect(hold.owed == 1)
        #expect(hold.release(atWall: 10 + ArrivalHold.declaredPatience) == 3)
    }

    /// Through the API without sockets, with a 100 s window: a declared closed loop of 2 workers and 6 requests
    /// runs without waiting out a single window (its burst hold ends at its second request, each completion hold
    /// at the answers it is owed, and nothing holds once all 6 are out), and each follow-up arrives at a
    /// completion's instant.
    @Test(.timeLimit(.minutes(2))) func declaredClosedLoopNeverWaitsOutTheWindow() async throws {
        var s = SimulatorSettings()
        s.speedup = nil
        s.burstWindowSeconds = 100
        let h = APIHarness(settings: s)
        let plan = ClosedLoopPlan(client: "test", total: 6, workers: 2)
        let started = Date()
        func one(_ i: Int) async -> JSONValue? {
            var req = HTTPRequest(
                method: "POST", path: "/v1/chat/completions",
                json: [
                    "model": .string(APIHarness.model), "max_tokens": .int(4 + 3 * i),
                    "messages": [["role": "user", "content": .string("Question \(i)")]],
                ])
            req.headers = [(ClosedLoopPlan.headerName, plan.headerValue)]
            return (await APIHarness.resolve(h.api.handle(req))).jsonBody
        }
        let answers = await withTaskGroup(of: JSONValue?.self) { group in
            var next = 0
            var answers: [JSONValue] = []
            while next < 2 {
                let i = next
                group.addTask { await one(i) }
                next += 1
            }
            while let a = await group.next() {
                if let a { answers.append(a) }
                if next < 6 {
                    let i = next
                    group.addTask { await one(i) }
                    next += 1
                }
            }
            return answers
        }
        #expect(answers.count == 6)
        // Alone it takes a fraction of a second; the bound leaves room for a test machine running the whole suite.
        #expect(Date().timeIntervalSince(started) < 60, "a hold waited out the 100 s window")
    }
}
