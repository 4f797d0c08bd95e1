import Foundation
import MoECore

/// When requests go out: all at once (the original script), at most `concurrency` in flight, and/or at Poisson
/// arrival times of a given rate.
struct RequestSchedule: Sendable {
    var concurrency: Int?
    var rate: Double?
    var seed: UInt64

    init(concurrency: Int?, rate: Double?, seed: UInt64) {
        self.concurrency = concurrency
        self.rate = rate
        self.seed = seed
    }

    /// Arrival offsets (s) of `n` requests: 0 for all without a rate, else cumulative exponential gaps.
    func arrivals(_ n: Int) -> [Double] {
        guard let rate, rate > 0 else { return Array(repeating: 0, count: n) }
        var rng = SimRandom(seed: seed)
        var t = 0.0
        return (0..<n).map { _ in
            defer { t += rng.exponential(mean: 1 / rate) }
            return t
        }
    }

    /// What the run declares to the server about itself (docs/evaluator.md "Flow"): without a rate it is a closed
    /// loop — `count` requests, at most `concurrency` in flight, the next sent as soon as one is answered — which
    /// fake-sllm's arrival holds use to wait for exactly the requests still to come. `connections`: the most the
    /// transport sends at once, queueing the rest in order (nil: no limit below the concurrency). Nil for a timed
    /// schedule.
    func closedLoopPlan(count: Int, connections: Int? = nil) -> ClosedLoopPlan? {
        guard rate == nil || rate! <= 0, count > 0 else { return nil }
        var rng = SystemRandomNumberGenerator()
        let id = String(rng.next() as UInt64, radix: 16)
        let workers = min(count, max(1, concurrency ?? count), max(1, connections ?? count))
        return ClosedLoopPlan(client: id, total: count, workers: workers)
    }

    /// Runs `body` for indices `0..<n` following the schedule; `done` is called as each finishes (in completion
    /// order, on the caller's task, never concurrently). Cancellation stops launching and cancels those in flight.
    /// The transport sends at most `slots` requests at once (nil: no such
    /// limit). Requests the concurrency allows but the slots do not wait here and are launched in index order as
    /// slots free up, so which requests are in flight never depends on how the tasks happened to be scheduled
    /// (docs/evaluator.md "Flow"); `body` gets the instant the request was allowed to go, from which its latency
    /// counts (as a request waiting in the client's queue would). `ahead`: how many requests beyond those may be
    /// handed to `body` before the concurrency lets them go, because its transport holds each until its turn
    /// (``ClosedLoopGate``), so the next request is ready the moment an answer comes; they get no instant (nil):
    /// their latency counts from when the transport let them go.
    func run<T: Sendable>(
        count n: Int, slots: Int?, ahead: Int = 0,
        _ body: @escaping @Sendable (Int, ContinuousClock.Instant?) async -> T, done: (T) -> Void
    ) async {
        let arrivals = arrivals(n)
        let limit = max(1, concurrency ?? n)
        let ahead = max(0, ahead)
        let active = min(limit, max(1, slots ?? limit)) + ahead
        let start = ContinuousClock.now
        await withTaskGroup(of: T.self) { group in
            var next = 0
            var running = 0
            var finished = 0
            // When each request was allowed to go by the concurrency alone.
            var allowedAt: [ContinuousClock.Instant] = []
            allowedAt.reserveCapacity(n)
            func launchAllowed() {
                let now = ContinuousClock.now
                while allowedAt.count < min(n, limit + finished) { allowedAt.append(now) }
                while next < min(n, allowedAt.count + ahead), running < active, !Task.isCancelled {
                    let i = next
                    let at = arrivals[i]
                    let allowed = i < allowedAt.count ? allowedAt[i] : nil
                    group.addTask {
                        let wait = at - start.duration(to: .now).inSeconds
                        if wait > 0 { try? await Task.sleep(for: .seconds(wait)) }
                        return await body(i, wait > 0 ? ContinuousClock.now : allowed)
                    }
                    next += 1
                    running += 1
                }
            }
            launchAllowed()
            while let result = await group.next() {
                running -= 1
                finished += 1
                // The next request first: reading this answer can wait, a server holding its clock for it cannot.
                launchAllowed()
                done(result)
            }
        }
    }
}
