import MoECore
import Testing

@testable import SimEngine

/// The in-process run loop's fast paths against the simple ones they replace: the API server's deliveries taken
/// many delivery times per call (``DriverService``) against one event per call, and the driver's own queue and
/// request table against `FIFO` and `Dictionary`.
@Suite struct RunLoopFastPathTests {
    typealias F = EngineFixture

    /// ``DriverService`` with only the one-event `advance`: the run loop's simple path (the protocol's default).
    struct OneEventService: SimulatedService {
        var inner: DriverService
        var nextEventTime: Double? { inner.nextEventTime }
        func send(_ request: EngineRequest, at time: Double) { inner.send(request, at: time) }
        func advance(stepEnded: (StepOutcome, _ kept: Bool) -> Void, delivered: (TokenDelivery) -> Void) throws {
            try inner.advance(stepEnded: stepEnded, delivered: delivered)
        }
    }

    /// - Parameter everyChunk: whether the driver hands out every stream chunk (a server's driver) or only those
    ///   carrying a first token or a finish (``Simulation/run(config:workload:keepSteps:)``'s).
    static func run(_ w: Workload, seed: UInt64, oneEvent: Bool, everyChunk: Bool = true) throws -> SimulationResult {
        let config = F.config(seed: seed)
        let service = DriverService(
            driver: EngineDriver(core: try EngineCore(config: config), everyChunk: everyChunk))
        let tally: SimulationTally
        let now: Double
        if oneEvent {
            var s = OneEventService(inner: service)
            tally = try Simulation.drive(w, keepSteps: true, through: &s, stalled: "started")
            now = s.inner.driver.now
        } else {
            var s = service
            tally = try Simulation.drive(w, keepSteps: true, through: &s, stalled: "started")
            now = s.driver.now
        }
        return tally.result(config: config, simulatedSeconds: now, engines: [service.driver.core])
    }

    /// Workloads where the client's next move depends on deliveries: caps of 1, 4 and 16 (a finish frees a slot
    /// at its delivery time), a burst, and Poisson arrivals landing between deliveries.
    static let workloads: [(String, Workload)] = [
        (
            "cap 4",
            SyntheticWorkload(
                count: 40, promptTokens: .fixed(200), outputTokens: .uniform(10, 50), maxConcurrency: 4, seed: 3
            ).generate()
        ),
        (
            "cap 1",
            SyntheticWorkload(
                count: 12, promptTokens: .uniform(20, 300), outputTokens: .uniform(1, 20), maxConcurrency: 1, seed: 5
            ).generate()
        ),
        (
            "cap 16",
            SyntheticWorkload(
                count: 80, arrival: .poisson(rate: 50), promptTokens: .uniform(50, 600),
                outputTokens: .normal(mean: 40, std: 15), maxConcurrency: 16, seed: 9
            ).generate()
        ),
        (
            "burst",
            SyntheticWorkload(
                count: 120, promptTokens: .normal(mean: 150, std: 40), outputTokens: .normal(mean: 60, std: 20), seed: 1
            ).generate()
        ),
        (
            "poisson",
            SyntheticWorkload(
                count: 100, arrival: .poisson(rate: 30), promptTokens: .uniform(50, 400),
                outputTokens: .normal(mean: 50, std: 20), sharedPrefixTokens: 64, prefixGroups: 3, seed: 7
            ).generate()
        ),
    ]

    @Test(arguments: 0..<workloads.count)
    func manyDeliveriesPerCallGiveTheOneEventRun(_ i: Int) throws {
        let (name, w) = Self.workloads[i]
        let simple = try Self.run(w, seed: 11, oneEvent: true)
        // The batched path with every chunk handed out, and with only the chunks the tally reads (Simulation's).
        for everyChunk in [true, false] {
            let fast = try Self.run(w, seed: 11, oneEvent: false, everyChunk: everyChunk)
            // Compared as Bools: a failure names the workload instead of printing two files' bytes.
            let sameTimings = fast.timingsJSONLBytes() == simple.timingsJSONLBytes()
            let sameRecords = fast.recordsJSONBytes(indent: 2) == simple.recordsJSONBytes(indent: 2)
            #expect(sameTimings, "\(name), every chunk \(everyChunk): request timings differ")
            #expect(sameRecords, "\(name), every chunk \(everyChunk): batch records differ")
            #expect(fast.simulatedSeconds == simple.simulatedSeconds, "\(name), every chunk \(everyChunk)")
        }
    }

    /// Only the chunks with a first token or a finish are handed out, at the times the every-chunk loop gives
    /// them, and the loop's work (its last delivery, its free time) is unchanged.
    @Test func firstAndLastChunksOnlyKeepTheirTimes() throws {
        let w = Self.workloads[3].1
        func deliveries(everyChunk: Bool) throws -> [TokenDelivery] {
            let driver = EngineDriver(core: try EngineCore(config: F.config(seed: 11)), everyChunk: everyChunk)
            for (i, r) in w.requests.enumerated() {
                driver.submit(
                    EngineRequest(
                        id: UInt64(i), promptTokens: r.promptTokens, maxTokens: r.maxTokens,
                        outputTokens: r.outputTokens), at: r.arrival)
            }
            var out: [TokenDelivery] = []
            while driver.nextEventTime != nil || driver.nextDeliveryTime != nil {
                if let d = driver.nextDeliveryTime, d <= driver.nextEventTime ?? .infinity {
                    out += driver.deliveries(upTo: d)
                } else {
                    out += driver.advance().delivered
                }
            }
            return out
        }
        let all = try deliveries(everyChunk: true)
        let few = try deliveries(everyChunk: false)
        #expect(all.count > few.count)
        #expect(few == all.filter { $0.isFirstToken || $0.finished != nil })
        #expect(few.count(where: { $0.finished != nil }) == w.requests.count)
    }

    @Test func timedQueueKeepsFIFOOrderThroughCompactionAndRemoval() {
        var q = TimedQueue<Int>()
        var reference = FIFO<(time: Double, entry: Int)>()
        var rng = SimRandom(seed: 4)
        for i in 0..<20_000 {
            switch rng.next() % 7 {
            case 0, 1, 2, 3:
                let t = Double(rng.next() % 1000)
                q.append(i, at: t)
                reference.append((t, i))
            case 4, 5:
                #expect(q.popFirst() == reference.popFirst()?.entry)
            default:
                let k = Int(rng.next() % 20)
                #expect(q.remove(where: { $0 % 20 == k }) == reference.remove(where: { $0.entry % 20 == k })?.entry)
            }
            #expect(q.firstTime == reference.first?.time)
            #expect(q.count == reference.count)
        }
        #expect(q.elements.map(\.entry) == reference.elements.map(\.entry))
    }

    @Test func requestIDTableMatchesADictionary() {
        var table = RequestIDTable<Int>()
        var reference: [UInt64: Int] = [:]
        var rng = SimRandom(seed: 8)
        for step in 0..<50_000 {
            // Small and spread-out ids, so probe runs wrap around and collide.
            let key = rng.next() % 3 == 0 ? rng.next() : rng.next() % 600
            switch rng.next() % 5 {
            case 0, 1:
                table[key] = step
                reference[key] = step
            case 2:
                table[key] = nil
                reference[key] = nil
            case 3:
                if let s = table.slot(of: key) {
                    table[slot: s] += 1
                    reference[key]! += 1
                } else {
                    #expect(reference[key] == nil)
                }
            default:
                #expect(table[key] == reference[key])
            }
            #expect(table.count == reference.count)
        }
        for (k, v) in reference { #expect(table[k] == v) }
    }
}
