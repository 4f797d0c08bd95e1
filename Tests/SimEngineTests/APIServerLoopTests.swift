import MoECore
import Testing

@testable import SimEngine

/// The API server as one event loop (docs/engine.md §10), driven by hand: set-ups, the tokenizer thread, output
/// slices, merged stream chunks.
@Suite struct APIServerLoopTests {
    typealias F = EngineFixture

    static func calibration(
        receive: Double = 2e-3, promptToken: Double = 1e-6, submit: Double = 1e-3, output: Double = 10e-6,
        chunk: Double = 100e-6, handOff: Double = 0
    ) -> Calibration {
        var c = Calibration()
        c.apiRequestOverhead = receive
        c.apiPromptTokenOverhead = promptToken
        c.apiSubmitOverhead = submit
        c.apiOutputTokenOverhead = output
        c.apiStreamChunkOverhead = chunk
        c.frontendLatency = handOff
        return c
    }

    static func token(_ id: UInt64, _ n: Int, first: Bool = false, finished: FinishReason? = nil) -> RequestEvent {
        RequestEvent(id: id, newTokens: 1, outputTokens: n, isFirstToken: first, finished: finished, preempted: false)
    }

    @Test func aBurstIsReceivedBeforeAnyRequestIsSubmitted() {
        var loop = APIServerLoop(calibration: Self.calibration(handOff: 5e-3), startTime: 0)
        for i in 0..<10 { loop.submit(F.request(UInt64(i), prompt: 1000, output: 2), at: 0) }
        var reached: [(UInt64, Double)] = []
        loop.run(until: 1) { r, t in reached.append((r.id, t)) }
        // Ten receives of 2 ms come first (they were ready at 0); each tokenised prompt (1 ms on the tokenizer
        // thread) is submitted after them, 1 ms apiece, and reaches the engine 5 ms later.
        #expect(reached.map(\.0) == Array(0..<10))
        for (k, (_, t)) in reached.enumerated() {
            #expect(abs(t - (10 * 2e-3 + Double(k + 1) * 1e-3 + 5e-3)) < 1e-12)
        }
        #expect(loop.waiting == 0)
    }

    @Test func aHarmonyRenderedRequestSkipsTheTemplateAndTokenisesOnTheLoop() {
        var c = Self.calibration()
        c.apiChatTemplateOverhead = 1.5e-3
        func reach(harmony: Bool) -> Double? {
            var loop = APIServerLoop(calibration: c, harmony: harmony, startTime: 0)
            loop.submit(F.request(1, prompt: 1000, output: 2), at: 0)
            var reached: Double?
            loop.run(until: 1) { _, t in reached = t }
            return reached
        }
        // Template path: receive 2 ms, tokenizer thread 1 ms, submit 1 ms. Harmony: receive 0.5 ms and the
        // render's 1 ms of tokens on the loop, then submit 1 ms.
        #expect(abs((reach(harmony: false) ?? 0) - 4e-3) < 1e-12)
        #expect(abs((reach(harmony: true) ?? 0) - 2.5e-3) < 1e-12)
    }

    @Test func aHarmonyBurstStillReceivesEveryRequestBeforeTheFirstSubmit() {
        var c = Self.calibration()
        c.apiChatTemplateOverhead = 1.5e-3
        var loop = APIServerLoop(calibration: c, harmony: true, startTime: 0)
        for i in 0..<10 { loop.submit(F.request(UInt64(i), prompt: 1000, output: 2), at: 0) }
        var reached: [(UInt64, Double)] = []
        loop.run(until: 1) { r, t in reached.append((r.id, t)) }
        // Each receive holds the loop 1.5 ms (0.5 ms + 1,000 tokens' render); the submits queue behind them.
        #expect(reached.map(\.0) == Array(0..<10))
        for (k, (_, t)) in reached.enumerated() { #expect(abs(t - (10 * 1.5e-3 + Double(k + 1) * 1e-3)) < 1e-12) }
    }

    @Test func onlyGptOssRendersChatWithHarmony() throws {
        #expect(try #require(ModelCatalog.spec(for: "openai/gpt-oss-120b")).rendersChatWithHarmony)
        #expect(try #require(ModelCatalog.spec(for: "openai/gpt-oss-20b")).rendersChatWithHarmony)
        #expect(try !#require(ModelCatalog.spec(for: "Qwen/Qwen3-30B-A3B")).rendersChatWithHarmony)
        #expect(try !#require(ModelCatalog.spec(for: "zai-org/GLM-4.5-Air")).rendersChatWithHarmony)
    }

    @Test func arrivalsSpreadOutAreSetUpOneByOne() {
        var loop = APIServerLoop(calibration: Self.calibration(), startTime: 0)
        loop.submit(F.request(1, prompt: 1000, output: 2), at: 0)
        loop.submit(F.request(2, prompt: 1000, output: 2), at: 1)
        var reached: [Double] = []
        loop.run(until: 2) { _, t in reached.append(t) }
        // receive 2 ms, tokenise 1 ms, submit 1 ms: 4 ms after each arrival.
        #expect(reached.count == 2)
        #expect(abs(reached[0] - 4e-3) < 1e-12 && abs(reached[1] - 1.004) < 1e-12)
    }

    @Test func tokensAreDeliveredAfterTheOutputHandlerAndTheRequestsChunk() {
        var loop = APIServerLoop(calibration: Self.calibration(), startTime: 0)
        loop.submit(F.request(1, prompt: 0, output: 3), at: 0)
        loop.submit(F.request(2, prompt: 0, output: 3), at: 0)
        loop.run(until: 0.01) { _, _ in }
        loop.stepEnded([Self.token(1, 1, first: true), Self.token(2, 1, first: true)], at: 0.02)
        loop.run(until: 1) { _, _ in }
        var out: [TokenDelivery] = []
        loop.takeDeliveries(upTo: 1, into: &out)
        // Two outputs of 10 µs, then each request's chunk (100 µs) in turn.
        #expect(out.map(\.id) == [1, 2])
        #expect(abs(out[0].time - (0.02 + 20e-6 + 100e-6)) < 1e-12)
        #expect(abs(out[1].time - (0.02 + 20e-6 + 200e-6)) < 1e-12)
        #expect(out.allSatisfy { $0.isFirstToken && $0.newTokens == 1 && $0.finished == nil })
    }

    @Test func aRequestDroppedWhileItsTaskIsWokenGetsNoChunkAndItsCollectorIsNotReusedEarly() {
        var loop = APIServerLoop(calibration: Self.calibration(), startTime: 0)
        loop.submit(F.request(1, prompt: 0, output: 3), at: 0)
        loop.submit(F.request(2, prompt: 0, output: 3), at: 0)
        loop.run(until: 0.01) { _, _ in }
        // Request 3's receive (2 ms from 0.0199) holds the loop; the step's outputs are processed after it
        // (0.0219 + 20 µs, waking both tasks), then request 3 is submitted (ready at 0.0219, before the tasks).
        loop.submit(F.request(3, prompt: 0, output: 3), at: 0.0199)
        loop.stepEnded([Self.token(1, 1, first: true), Self.token(2, 1, first: true)], at: 0.02)
        loop.run(until: 0.02191) { _, _ in }
        // Request 1 goes away while its task is woken; request 3's collector must not take its place.
        let setUpPending = loop.remove(id: 1)
        #expect(!setUpPending)
        loop.run(until: 1) { _, _ in }
        loop.stepEnded([Self.token(3, 1, first: true)], at: 1)
        loop.run(until: 2) { _, _ in }
        var out: [TokenDelivery] = []
        loop.takeDeliveries(upTo: 2, into: &out)
        // Request 1's task writes nothing and takes no time: request 2's chunk follows request 3's 1 ms submit.
        #expect(out.map(\.id) == [2, 3])
        #expect(abs(out[0].time - (0.0219 + 20e-6 + 1e-3 + 100e-6)) < 1e-12)
        #expect(out.allSatisfy { $0.isFirstToken && $0.newTokens == 1 && $0.outputTokens == 1 })
        #expect(loop.streams == 2)
    }

    @Test func aRequestWhoseTaskIsBehindGetsItsTokensMergedIntoOneChunk() {
        var loop = APIServerLoop(calibration: Self.calibration(), startTime: 0)
        loop.submit(F.request(1, prompt: 0, output: 3), at: 0)
        loop.run(until: 0.01) { _, _ in }
        // Three steps end before the loop gets to them (a new request's receive keeps it busy for 2 ms).
        loop.submit(F.request(2, prompt: 0, output: 3), at: 0.0199)
        loop.stepEnded([Self.token(1, 1, first: true)], at: 0.020)
        loop.stepEnded([Self.token(1, 2)], at: 0.0205)
        loop.stepEnded([Self.token(1, 3, finished: .length)], at: 0.021)
        loop.run(until: 1) { _, _ in }
        var out: [TokenDelivery] = []
        loop.takeDeliveries(upTo: 1, into: &out)
        // The first step's output wakes the task; the next two outputs are processed before it runs and merge.
        #expect(out.count == 1)
        #expect(out.first?.newTokens == 3 && out.first?.outputTokens == 3)
        #expect(out.first?.isFirstToken == true && out.first?.finished == .length)
    }

    @Test func theOutputHandlerYieldsBetweenSlicesOf128() {
        var loop = APIServerLoop(calibration: Self.calibration(), startTime: 0)
        for i in 0..<200 { loop.submit(F.request(UInt64(i), prompt: 0, output: 2), at: 0) }
        loop.run(until: 1) { _, _ in }
        let start = 1.0
        loop.stepEnded((0..<200).map { Self.token(UInt64($0), 1, first: true) }, at: start)
        loop.run(until: 2) { _, _ in }
        var out: [TokenDelivery] = []
        loop.takeDeliveries(upTo: 2, into: &out)
        #expect(out.count == 200)
        // The first slice's 128 chunks are written before the handler processes the other 72 outputs.
        let firstSlice = start + 128 * 10e-6
        #expect(abs(out[127].time - (firstSlice + 128 * 100e-6)) < 1e-9)
        #expect(abs(out[128].time - (firstSlice + 128 * 100e-6 + 72 * 10e-6 + 100e-6)) < 1e-9)
    }

    @Test func aBehindHandlerFinishesAStepBeforeItTakesTheNextOne() {
        var loop = APIServerLoop(calibration: Self.calibration(), startTime: 0)
        for i in 0..<200 { loop.submit(F.request(UInt64(i), prompt: 0, output: 3), at: 0) }
        loop.run(until: 1) { _, _ in }
        // Two steps end 1 µs apart, long before the loop has written the first step's chunks (200 × 100 µs).
        loop.stepEnded((0..<200).map { Self.token(UInt64($0), 1, first: true) }, at: 1)
        loop.stepEnded((0..<200).map { Self.token(UInt64($0), 2) }, at: 1 + 1e-6)
        loop.run(until: 2) { _, _ in }
        var out: [TokenDelivery] = []
        loop.takeDeliveries(upTo: 2, into: &out)
        // vLLM's output handler is one task: the second step's outputs wait until it has finished the first
        // step, and each slice's tasks run before its next slice, so no request has two outputs waiting: one
        // chunk per request and step, nothing merged.
        #expect(out.count == 400)
        #expect(out.allSatisfy { $0.newTokens == 1 })
        #expect(out.prefix(128).map(\.id) == (0..<128).map(UInt64.init))
        #expect(out.prefix(128).allSatisfy { $0.outputTokens == 1 })
        for id in 0..<200 {
            #expect(out.filter { $0.id == UInt64(id) }.map(\.outputTokens) == [1, 2])
        }
        // The handler is busy 400 × 10 µs and the chunks take 400 × 100 µs: the last chunk ends after both.
        #expect(abs(out[399].time - (1 + 400 * 10e-6 + 400 * 100e-6)) < 1e-9)
    }

    @Test func aStepEndingBeforeTheHandlerFinishedIsTakenFirstHoweverTheCallsAreSplit() {
        // Request 1 is set up; its first step ends at 20 ms, its second at 20.005 ms, while the handler is still
        // on the first (10 µs of output work, to 20.01 ms); request 2 arrives in between, at 20.002 ms.
        func run(split: Bool) -> (busyUntil: Double?, out: [TokenDelivery], reached: [Double]) {
            var loop = APIServerLoop(calibration: Self.calibration(), startTime: 0)
            loop.submit(F.request(1, prompt: 0, output: 3), at: 0)
            var reached: [Double] = []
            loop.run(until: 0.01) { _, t in reached.append(t) }
            loop.stepEnded([Self.token(1, 1, first: true)], at: 0.02)
            if split {
                // The owner runs the loop to the first step's end before it knows the second step.
                loop.run(until: 0.02) { _, t in reached.append(t) }
                loop.submit(F.request(2, prompt: 0, output: 3), at: 0.020002)
                loop.stepEnded([Self.token(1, 2)], at: 0.020005)
            } else {
                loop.stepEnded([Self.token(1, 2)], at: 0.020005)
                loop.submit(F.request(2, prompt: 0, output: 3), at: 0.020002)
            }
            // Just after the first step's outputs: what has the loop taken next?
            loop.run(until: 0.020011) { _, t in reached.append(t) }
            let busyUntil = loop.nextEventTime
            loop.run(until: 1) { _, t in reached.append(t) }
            var out: [TokenDelivery] = []
            loop.takeDeliveries(upTo: 1, into: &out)
            return (busyUntil, out, reached)
        }
        let queued = run(split: false)
        let split = run(split: true)
        // vLLM's handler, done with the first step at 20.01 ms, finds the second in its queue and takes it
        // without yielding (to 20.02 ms); request 2's receive (2 ms) starts after it. Both outputs merge into
        // request 1's one chunk, written after that receive; request 2 is submitted after the chunk.
        #expect(abs((queued.busyUntil ?? 0) - 0.02002) < 1e-12)
        #expect(queued.out.count == 1 && queued.out.first?.newTokens == 2)
        #expect(abs((queued.out.first?.time ?? 0) - (0.02002 + 2e-3 + 100e-6)) < 1e-12)
        #expect(queued.reached.count == 2)
        #expect(abs(queued.reached[1] - (0.02002 + 2e-3 + 100e-6 + 1e-3)) < 1e-12)
        // The owner that handed the second step in only after the loop had finished the first gets the same.
        #expect(split.busyUntil == queued.busyUntil)
        #expect(split.out == queued.out)
        #expect(split.reached == queued.reached)
    }

    @Test func preemptionsAndPrefillChunksDeliverNothing() {
        var loop = APIServerLoop(calibration: Self.calibration(), startTime: 0)
        loop.submit(F.request(1, prompt: 0, output: 3), at: 0)
        loop.run(until: 0.01) { _, _ in }
        loop.stepEnded(
            [
                RequestEvent(
                    id: 1, newTokens: 0, outputTokens: 0, isFirstToken: false, finished: nil, preempted: false),
                RequestEvent(id: 1, newTokens: 0, outputTokens: 0, isFirstToken: false, finished: nil, preempted: true),
            ], at: 0.02)
        #expect(loop.nextEventTime == nil)
    }

    @Test func theDriverDeliversLaterThanTheEngineEmitsAndTheEngineDoesNotWait() throws {
        func run(chunk: Double) throws -> (steps: [Double], firstDelivery: Double) {
            var config = F.config()
            config.calibration = Self.calibration(chunk: chunk)
            let driver = EngineDriver(core: try EngineCore(config: config))
            driver.submit(F.request(1, prompt: 100, output: 5), at: 0)
            var steps: [Double] = []
            var first = Double.infinity
            while driver.nextEventTime != nil || driver.nextDeliveryTime != nil {
                if let d = driver.nextDeliveryTime, d <= driver.nextEventTime ?? .infinity {
                    for x in driver.deliveries(upTo: d) where x.isFirstToken { first = x.time }
                    continue
                }
                let s = driver.advance()
                for x in s.delivered where x.isFirstToken { first = x.time }
                if let o = s.outcome { steps.append(o.end) }
            }
            #expect(driver.unfinished == 0)
            return (steps, first)
        }
        let cheap = try run(chunk: 0)
        let dear = try run(chunk: 5e-3)
        #expect(cheap.steps == dear.steps)
        #expect(abs(dear.firstDelivery - cheap.firstDelivery - 5e-3) < 1e-9)
        #expect(cheap.firstDelivery > cheap.steps[0])
    }

    @Test func streamsTheLoopCannotKeepUpWithGetAChunkPerStepAndFallBehind() throws {
        var config = F.config()
        config.calibration = Self.calibration(chunk: 200e-6)
        let driver = EngineDriver(core: try EngineCore(config: config))
        for i in 0..<300 { driver.submit(F.request(UInt64(i), prompt: 32, output: 16, ignoreEOS: true), at: 0) }
        var chunks = [Int](repeating: 0, count: 300)
        var tokens = [Int](repeating: 0, count: 300)
        var lastStep = 0.0
        var lastDelivery = 0.0
        func take(_ ds: [TokenDelivery]) {
            for d in ds {
                chunks[Int(d.id)] += 1
                tokens[Int(d.id)] += d.newTokens
                lastDelivery = max(lastDelivery, d.time)
            }
        }
        while driver.nextEventTime != nil || driver.nextDeliveryTime != nil {
            if let d = driver.nextDeliveryTime, d <= driver.nextEventTime ?? .infinity {
                take(driver.deliveries(upTo: d))
                continue
            }
            let s = driver.advance()
            take(s.delivered)
            if let o = s.outcome { lastStep = o.end }
        }
        // 300 chunks of 200 µs are 60 ms of loop work per step, longer than a step. The output handler is one
        // task that finishes a step (three slices, each slice's chunks written before the next) before it takes
        // the next one, so the loop falls behind rather than skipping ahead: every request gets a chunk per step,
        // except that a step's last slice (44 requests) merges with the next step when that is already waiting;
        // every token arrives, the last ones well after the engine's last step.
        #expect(tokens.allSatisfy { $0 == 16 })
        let chunkCount: Int = chunks.reduce(0, +)
        #expect(chunkCount > 3600 && chunkCount < 4800)  // 75 % to 100 % of the 4,800 tokens
        #expect(lastDelivery > lastStep + 0.05 && lastDelivery < lastStep + 0.5)
    }

    @Test func aNonStreamedRequestGetsOneOutputAtItsEndWhileItsStepsStillCostOutputWork() {
        var loop = APIServerLoop(calibration: Self.calibration(), startTime: 0)
        var quiet = F.request(1, prompt: 0, output: 3)
        quiet.finalOutputOnly = true
        loop.submit(quiet, at: 0)
        loop.submit(F.request(2, prompt: 0, output: 3), at: 0)
        loop.run(until: 0.01) { _, _ in }
        for (k, t) in [0.02, 0.03, 0.04].enumerated() {
            let end: FinishReason? = k == 2 ? .length : nil
            loop.stepEnded(
                [
                    Self.token(1, k + 1, first: k == 0, finished: end),
                    Self.token(2, k + 1, first: k == 0, finished: end),
                ], at: t)
            loop.run(until: t + 0.005) { _, _ in }
        }
        var out: [TokenDelivery] = []
        loop.takeDeliveries(upTo: 1, into: &out)
        // The streamed request gets a chunk per step; the FINAL_ONLY one a single delivery with all three tokens,
        // written (100 µs) after the last step's two outputs (10 µs each).
        #expect(out.filter { $0.id == 2 }.count == 3)
        let final = out.filter { $0.id == 1 }
        #expect(final.count == 1)
        #expect(final.first?.newTokens == 3 && final.first?.isFirstToken == true && final.first?.finished == .length)
        #expect(abs((final.first?.time ?? 0) - (0.04 + 20e-6 + 100e-6)) < 1e-12)
        #expect(loop.streams == 0)
    }
}
