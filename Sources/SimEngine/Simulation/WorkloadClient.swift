/// The client side of an in-process run: sends each request of a ``Workload`` when its arrival time has come
/// and, under a concurrency cap, a slot is free (a request held back by the cap is sent when the cap releases a
/// slot). Shared by every in-process runner, whatever serves the requests.
package struct WorkloadClient {
    private let requests: [WorkloadRequest]
    private let cap: Int
    private var nextToSend = 0
    private var inFlight = 0
    private var capReleasedAt = 0.0
    /// Requests finished so far.
    package private(set) var done = 0

    package init(_ workload: Workload) {
        requests = workload.requests
        cap = workload.maxConcurrency ?? Int.max
    }

    /// Whether every request has finished.
    package var isFinished: Bool { done == requests.count }

    /// Requests not yet finished.
    package var remaining: Int { requests.count - done }

    /// When the next request goes out, or infinity while none can.
    package var nextSendTime: Double {
        nextToSend < requests.count && inFlight < cap
            ? max(requests[nextToSend].arrival, capReleasedAt) : .infinity
    }

    /// Sends the next request at ``nextSendTime``: its index, the engine request (id = index) and the time.
    package mutating func send() -> (index: Int, request: EngineRequest, time: Double) {
        let time = nextSendTime
        let i = nextToSend
        let w = requests[i]
        nextToSend += 1
        inFlight += 1
        return (
            i,
            EngineRequest(
                id: UInt64(i), promptTokens: w.promptTokens, maxTokens: w.maxTokens, outputTokens: w.outputTokens,
                ignoreEOS: w.ignoreEOS, prefixBlockHashes: w.prefixBlockHashes),
            time
        )
    }

    /// `count` requests finished at simulated time `time`.
    package mutating func finished(_ count: Int, at time: Double) {
        guard count > 0 else { return }
        if inFlight == cap { capReleasedAt = time }
        inFlight -= count
        done += count
    }
}
