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

    /// Runs `body` for indices `0..<n` following the schedule; `done` is called as each finishes (in completion
    /// order, on the caller's task, never concurrently). Cancellation stops launching and cancels those in flight.
    func run<T: Sendable>(
        count n: Int, _ body: @escaping @Sendable (Int) async -> T, done: (T) -> Void
    ) async {
        let arrivals = arrivals(n)
        let limit = max(1, concurrency ?? n)
        let start = ContinuousClock.now
        await withTaskGroup(of: T.self) { group in
            var next = 0
            var running = 0
            func launch() {
                let i = next
                let at = arrivals[i]
                group.addTask {
                    let wait = at - start.duration(to: .now).inSeconds
                    if wait > 0 { try? await Task.sleep(for: .seconds(wait)) }
                    return await body(i)
                }
                next += 1
                running += 1
            }
            while next < n, running < limit, !Task.isCancelled { launch() }
            while let result = await group.next() {
                running -= 1
                done(result)
                while next < n, running < limit, !Task.isCancelled { launch() }
            }
        }
    }
}
