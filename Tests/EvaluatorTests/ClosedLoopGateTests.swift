import MoECore
import Testing

@testable import EvaluatorClient

/// The client-side gate that lets a closed loop's next request go the moment an answer comes
/// (docs/evaluator.md "Flow").
@Suite struct ClosedLoopGateTests {
    @Test func gateLetsRequestsGoInIndexOrderWithinItsLimit() {
        let q = GateQueue<Int>(gate: ClosedLoopGate(limit: 2))
        // Handed over out of order: nothing goes before index 0 is there.
        q.hold(2, at: 2)
        q.hold(1, at: 1)
        #expect(q.release().isEmpty)
        q.hold(0, at: 0)
        #expect(q.release() == [0, 1])
        #expect(q.release().isEmpty)  // two on the wire
        q.finished()
        #expect(q.release() == [2])
        // A retry of a request whose turn went passes without waiting.
        #expect(q.hasGone(1) && !q.hasGone(3))
    }

    @Test func cancelledRequestsGiveUpTheirTurn() {
        let q = GateQueue<Int>(gate: ClosedLoopGate(limit: 1))
        q.hold(0, at: 0)
        q.hold(1, at: 1)
        q.hold(3, at: 3)
        #expect(q.release() == [0])
        #expect(q.withdraw(1))  // held, cancelled before its turn
        q.skip(2)  // cancelled before it was handed over
        q.finished()
        #expect(q.release() == [3])
        #expect(!q.withdraw(3))  // gone already: not held
        q.finished()
        #expect(q.takeAll().isEmpty)
    }

    /// Sixteen requests through a gate of 3, handed over by tasks in reverse index order: never more than 3 at the
    /// server at once, request i only after i − 3 was answered (so at most two places early in the order the
    /// server saw), and each released before its transfer started.
    @Test(.timeLimit(.minutes(1))) func liveRequestsLeaveInIndexOrder() async throws {
        let gauge = ConcurrencyGauge()
        let seen = Locked([Int]())
        try await withLiveServer { request in
            gauge.measure {
                seen.withLock { $0.append(Int(request.path.dropFirst()) ?? -1) }
                TestHTTPServer.sleep(.milliseconds(10))
                return .text(200, "ok")
            }
        } _: { server, client in
            let gate = ClosedLoopGate(limit: 3)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in (0..<16).reversed() {
                    group.addTask {
                        var request = HTTPRequest(url: "\(server.baseURL)/\(i)")
                        request.turn = .init(gate: gate, index: i)
                        let response = try await client.send(request)
                        #expect(response.status == 200)
                        let released = try #require(request.turn?.released.instant)
                        #expect(released <= response.startTime)
                    }
                }
                try await group.waitForAll()
            }
            let order = seen.withLock { $0 }
            #expect(order.sorted() == Array(0..<16))
            #expect(order.enumerated().allSatisfy { $0.offset >= $0.element - 2 }, "order at the server: \(order)")
            #expect(gauge.peak <= 3)
        }
    }

    /// A request cancelled while it waits for its turn does not stall the ones behind it. Request 0 is held at
    /// the server until request 1 (gated behind it) has been cancelled, so the order does not depend on timing.
    @Test(.timeLimit(.minutes(1))) func cancellingAHeldRequestLetsTheRestGo() async throws {
        let seen = Locked((paths: [String](), release: false))
        try await withLiveServer { request in
            seen.withLock { $0.paths.append(request.path) }
            while request.path == "/0", !seen.withLock({ $0.release }) { TestHTTPServer.sleep(.milliseconds(5)) }
            return .text(200, "ok")
        } _: { server, client in
            let gate = ClosedLoopGate(limit: 1)
            @Sendable func send(_ i: Int) async -> Int {
                var request = HTTPRequest(url: "\(server.baseURL)/\(i)")
                request.turn = .init(gate: gate, index: i)
                do { return try await client.send(request).status } catch { return error.kind == .cancelled ? -1 : -2 }
            }
            let first = Task { await send(0) }
            while seen.withLock({ $0.paths.isEmpty }) { try await Task.sleep(for: .milliseconds(5)) }
            let held = Task { await send(1) }
            let third = Task { await send(2) }
            try await Task.sleep(for: .milliseconds(20))
            held.cancel()
            #expect(await held.value == -1)
            seen.withLock { $0.release = true }
            #expect(await first.value == 200)
            #expect(await third.value == 200)
            #expect(seen.withLock { $0.paths } == ["/0", "/2"])
        }
    }
}
