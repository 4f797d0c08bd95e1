import MoECore

/// The API-server process in front of one engine, as one asyncio event loop: every request's set-up and every
/// step's output handling and every stream chunk run on it one at a time, in the order they became ready
/// (docs/engine.md §10).
///
/// vLLM 0.11's OpenAI server is one process (`--api-server-count` 1) whose asyncio loop runs a FIFO of ready
/// callbacks. Modelled pieces of work, each a fixed CPU cost on that loop:
/// - **receive** (`apiRequestOverhead`): the HTTP request is parsed, validated and templated; the prompt then
///   goes to the tokenizer, a single-worker thread beside the loop (`serving_engine.py`, vllm-project/vllm#25301),
///   which takes `promptTokens · apiPromptTokenOverhead`;
///   a model whose chat requests vLLM renders with harmony (gpt-oss) skips the Jinja template
///   (`apiChatTemplateOverhead` less) and its render tokenises the prompt on the loop, with no tokenizer-thread hop;
/// - **submit** (`apiSubmitOverhead`): when the tokens come back, the engine request is built
///   (`Processor.process_inputs`), registered with the output processor and sent to the engine core; the engine
///   sees it `frontendLatency` later;
/// - **outputs** (`apiOutputTokenOverhead` per request output): `AsyncLLM`'s output handler processes each engine
///   step's outputs (detokenising, stop checks) in slices of 128 (`VLLM_V1_OUTPUT_PROC_CHUNK_SIZE`), yielding to
///   the loop between slices (`await asyncio.sleep(0)`), and puts each request's output in its collector. It is
///   one task: a step's outputs start only when it has finished the step before, and after a step's last slice
///   it goes on at once with the next step's outputs if they are already there;
/// - **chunk** (`apiStreamChunkOverhead`): the request's own task wakes, takes everything its collector holds
///   (`RequestOutputCollector` merges outputs while the task is behind) and builds and writes one stream chunk.
///   The client sees those tokens when this ends: a token's delivery time, distinct from the engine step that
///   produced it. A non-streamed request (``EngineRequest/finalOutputOnly``, vLLM's `FINAL_ONLY`) gets no output
///   until its last step, so its task wakes once and writes the whole answer.
///
/// In a burst every receive is queued before the first engine output, so first tokens are delivered only after
/// the loop has worked through the queued set-ups; with many streams, each step's output work delays delivery
/// while the engine (a separate process) keeps stepping.
///
/// Work is assigned lazily in time order, only up to the moment its owner has reached (``run(until:)``).
///
/// Threading: not `Sendable`; owned by one ``EngineDriver``.
struct APIServerLoop {
    /// Outputs one slice of the output handler processes before yielding (`VLLM_V1_OUTPUT_PROC_CHUNK_SIZE`).
    static let outputSliceSize = 128

    let receiveCost: Double
    let promptTokenCost: Double
    /// Whether prompts are rendered to token ids on the loop (harmony) rather than on the tokenizer thread.
    let tokenisesOnLoop: Bool
    let submitCost: Double
    let outputCost: Double
    let chunkCost: Double
    let handOff: Double

    /// When the loop finishes the work assigned so far.
    private(set) var freeAt: Double
    /// When the tokenizer thread finishes the prompts given to it so far.
    private var tokenizerFreeAt: Double

    /// Requests whose receive has not started, in submission order, at their arrival.
    private var arrivals = TimedQueue<EngineRequest>()
    /// Tokenised requests waiting for their submit callback, ready when the tokenizer is done.
    private var tokenised = TimedQueue<EngineRequest>()
    /// Engine steps' outputs not yet processed by the output handler, ready when the step ended.
    private var stepOutputs = TimedQueue<ArraySlice<RequestEvent>>()
    /// Callbacks woken by earlier loop work, in wake order: a request's chunk task (its collector's handle), or
    /// the output handler's continuation after a slice (``continuationJob``; the slice is in ``continuations``).
    /// Plain integers, so moving them copies no reference.
    private var woken = TimedQueue<Int32>()
    /// Whether the output handler is inside a step's outputs (its continuation waits in ``woken``): it is one
    /// task, so the next step's outputs wait until it has finished this one.
    private var handlerBusy = false
    /// When the output handler finished its last step's outputs and found no further step queued, while no other
    /// piece of work has run since: a step that ended by then was, in vLLM, already in the handler's queue when it
    /// looked, so it takes it at once (``nextReady()``), however the owner split its calls.
    private var handlerDoneAt: Double?
    /// The rest of a step's outputs after each slice, in the order of their ``continuationJob`` entries in
    /// ``woken`` (the times are those entries' times).
    private var continuations = TimedQueue<ArraySlice<RequestEvent>>()
    /// Each live request's collector handle: one hash look-up per output; a woken task holds the handle itself.
    private var handleOfID = RequestIDTable<Int32>()
    /// Collectors by handle; a handle is reused once its collector is gone and no woken task refers to it.
    private var collectors: [Collector] = []
    private var freeHandles: [Int32] = []
    /// ``processOutputs(_:from:)``'s list of the tasks a slice wakes (a reused buffer).
    private var wakeScratch: [Int32] = []
    /// Whether every stream chunk is a delivery, or only those that carry a request's first token or its finish
    /// (``init(calibration:harmony:startTime:everyChunk:)``).
    let deliversEveryChunk: Bool
    /// Deliveries made, in time order, not yet taken (each at its ``TokenDelivery/time``).
    private var delivered = TimedQueue<TokenDelivery>()
    /// When the loop's next piece of work became ready and where it comes from (nil when nothing is queued):
    /// ``nextReady()``, kept current by every change to the queues' heads, so reading it copies nothing.
    private var next: (at: Double, source: Source)?
    /// When the loop starts its next piece of work, or the next delivery not yet taken happened; nil when
    /// neither exists. Kept current by every mutation (``refresh()``).
    private(set) var nextEventTime: Double?

    /// The ``woken`` entry of the output handler's continuation.
    private static let continuationJob: Int32 = -1

    /// A request's `RequestOutputCollector`: tokens put since its task last ran.
    private struct Collector {
        var id: UInt64
        var newTokens = 0
        var outputTokens = 0
        var firstToken = false
        var finished: FinishReason?
        /// Whether its task is already woken (a put then merges).
        var woken = false
        /// `FINAL_ONLY`: the output processor still detokenises every step, but makes no output, so the task
        /// wakes only for the last one.
        var finalOnly = false
        /// The request was dropped while its task was woken: the task ends without writing anything.
        var dropped = false

        /// Puts one step's output for the request; returns whether its task must be woken (it was not yet, and
        /// the output is one it sends).
        @inline(__always)
        mutating func put(_ e: RequestEvent) -> Bool {
            newTokens += e.newTokens
            outputTokens = e.outputTokens
            firstToken = firstToken || e.isFirstToken
            if let f = e.finished { finished = f }
            if woken || (finalOnly && finished == nil) { return false }
            woken = true
            return true
        }
    }

    /// - Parameters:
    ///   - harmony: the model's chat requests are rendered with harmony (``ModelSpec/rendersChatWithHarmony``).
    ///   - everyChunk: whether every stream chunk is handed out as a ``TokenDelivery`` (a server's clients read
    ///     them all); when false only the chunks that carry a request's first token or its finish are, which is
    ///     all an in-process run records. The loop does the same work at the same times either way.
    init(calibration c: Calibration, harmony: Bool = false, startTime: Double, everyChunk: Bool = true) {
        deliversEveryChunk = everyChunk
        receiveCost = harmony ? max(0, c.apiRequestOverhead - c.apiChatTemplateOverhead) : c.apiRequestOverhead
        tokenisesOnLoop = harmony
        promptTokenCost = c.apiPromptTokenOverhead
        submitCost = c.apiSubmitOverhead
        outputCost = c.apiOutputTokenOverhead
        chunkCost = c.apiStreamChunkOverhead
        handOff = c.frontendLatency
        freeAt = startTime
        tokenizerFreeAt = startTime
    }

    /// Requests whose set-up has not ended (received or being tokenised).
    var waiting: Int { arrivals.count + tokenised.count }
    /// Requests submitted to the engine whose last tokens are not yet delivered.
    var streams: Int { handleOfID.count }

    mutating func submit(_ r: EngineRequest, at arrival: Double) {
        arrivals.append(r, at: arrival)
        refresh()
    }

    /// An engine step that ended at `time` produced `events`.
    mutating func stepEnded(_ events: [RequestEvent], at time: Double) {
        // Usually every event is an output: the step's own array is then kept, not copied.
        let outputs = events.allSatisfy(Self.isOutput) ? events : events.filter(Self.isOutput)
        guard !outputs.isEmpty else { return }
        stepOutputs.append(outputs[...], at: time)
        refresh()
    }

    /// Drops a request (the client went away): its set-up if not done, its collector.
    /// Returns whether its set-up had not ended (the engine never saw it).
    mutating func remove(id: UInt64) -> Bool {
        defer { refresh() }
        if let slot = handleOfID.slot(of: id) {
            let h = handleOfID[slot: slot]
            handleOfID.remove(slot: slot)
            if collectors[Int(h)].woken { collectors[Int(h)].dropped = true } else { freeHandles.append(h) }
        }
        while delivered.remove(where: { $0.id == id }) != nil {}
        if arrivals.remove(where: { $0.id == id }) != nil { return true }
        return tokenised.remove(where: { $0.id == id }) != nil
    }

    /// Runs, in ready order, every piece of work that starts at or before `time`; calls `ready` with each
    /// request and the moment it reaches the engine (nondecreasing).
    mutating func run(until time: Double, _ ready: (EngineRequest, Double) -> Void) {
        // ``next`` is current on entry (every mutation keeps it so) and after each piece of work.
        while let next, max(freeAt, next.at) <= time {
            if next.source == .woken, woken.entry(at: 0) != Self.continuationJob {
                runChunks(readyAt: next.at, through: time, before: .infinity, untilDelivery: false)
            } else {
                runPiece(next, ready)
            }
        }
        updateEventTime()
    }

    /// Takes the deliveries that happened at or before `time`, in time order.
    mutating func takeDeliveries(upTo time: Double, into out: inout [TokenDelivery]) {
        guard let first = delivered.firstTime, first <= time else { return }
        while let t = delivered.firstTime, t <= time { out.append(delivered.popFirst()!) }
        updateEventTime()
    }

    /// ``run(until:_:)`` and ``takeDeliveries(upTo:into:)`` at ``nextEventTime``, over and over, as long as that
    /// time is before `horizon` and not after `bound()` (which may change only when `ready` is called); each
    /// delivery goes to `deliver`, and after a delivery time at which `deliver` returned true (the owner's state
    /// changed) it stops. The same work and deliveries, in the same order, as the owner asking one delivery time
    /// at a time, without a turn of the owner's loop each.
    ///
    /// Between two delivery times the one-at-a-time owner would only run work, each piece at its own start
    /// time, each such time checked against `horizon` and `bound()`; those pieces run here in one pass with the
    /// same checks, and the bound is read again only after a piece that called `ready`.
    mutating func runAndDeliver(
        before horizon: Double, bound: () -> Double, ready: (EngineRequest, Double) -> Void,
        deliver: (TokenDelivery) -> Bool
    ) {
        var limit = bound()
        while let t = nextEventTime, t < horizon, t <= limit {
            guard let d = delivered.firstTime, d <= t else {
                // No delivery at or before the next piece's start: run pieces up to the first delivery.
                while let next {
                    let start = max(freeAt, next.at)
                    let firstDelivery = delivered.firstTime ?? .infinity
                    guard start < horizon, start <= limit, start <= firstDelivery else { break }
                    if next.source == .woken, woken.entry(at: 0) != Self.continuationJob {
                        runChunks(
                            readyAt: next.at, through: min(limit, firstDelivery), before: horizon, untilDelivery: true)
                    } else if runPiece(next, ready) {
                        limit = bound()
                    }
                }
                updateEventTime()
                continue
            }
            // A delivery time (t == d): the work that starts by then, then the deliveries.
            var readied = false
            while let next, max(freeAt, next.at) <= t { readied = runPiece(next, ready) || readied }
            if readied { limit = bound() }
            var stop = false
            while let d = delivered.firstTime, d <= t {
                if deliver(delivered.popFirst()!) { stop = true }
            }
            updateEventTime()
            if stop { return }
        }
    }

    // MARK: The loop's work

    private enum Source { case woken, tokenised, step, arrival }

    /// Finds the ready piece of work the loop takes next (``next``): the earliest ready, ties broken in a fixed
    /// order.
    private mutating func nextReady() {
        // The earliest head; a later queue wins only when strictly earlier.
        var at = Double.infinity
        var source = Source.woken
        var found = false
        if let t = woken.firstTime {
            at = t
            found = true
        }
        if let t = tokenised.firstTime, !found || t < at {
            at = t
            source = .tokenised
            found = true
        }
        if !handlerBusy, let t = stepOutputs.firstTime, let done = handlerDoneAt, t <= done {
            // The handler's own continuation: before anything else became ready.
            next = (t, .step)
            return
        }
        if !handlerBusy, let t = stepOutputs.firstTime, !found || t < at {
            at = t
            source = .step
            found = true
        }
        if let t = arrivals.firstTime, !found || t < at {
            at = t
            source = .arrival
            found = true
        }
        next = found ? (at, source) : nil
    }

    /// Brings ``next`` and ``nextEventTime`` up to date after the queues changed.
    private mutating func refresh() {
        nextReady()
        updateEventTime()
    }

    /// Brings ``nextEventTime`` up to date from ``next``, ``freeAt`` and the deliveries.
    private mutating func updateEventTime() {
        let work = next.map { max(freeAt, $0.at) }
        let delivery = delivered.firstTime
        switch (work, delivery) {
        case (let w?, let d?): nextEventTime = min(w, d)
        case (let w?, nil): nextEventTime = w
        case (nil, let d): nextEventTime = d
        }
    }

    /// Runs the piece of work ``next`` names and finds the next one; returns whether it called `ready`.
    @discardableResult
    private mutating func runPiece(_ next: (at: Double, source: Source), _ ready: (EngineRequest, Double) -> Void)
        -> Bool
    {
        let start = max(freeAt, next.at)
        handlerDoneAt = nil
        switch next.source {
        case .woken:
            let job = woken.popFirst()!
            if job == Self.continuationJob {
                processOutputs(continuations.popFirst()!, from: start)
            } else {
                deliverChunk(Int(job), from: start)
                // The chunks one slice woke share its time: while they last, nothing else can come first.
                if woken.firstTime == next.at { return false }
            }
            nextReady()
            return false
        case .tokenised:
            let r = tokenised.popFirst()!
            freeAt = start + submitCost
            let h: Int32
            let c = Collector(id: r.id, finalOnly: r.finalOutputOnly)
            if let free = freeHandles.popLast() {
                h = free
                collectors[Int(h)] = c
            } else {
                h = Int32(collectors.count)
                collectors.append(c)
            }
            handleOfID[r.id] = h
            nextReady()
            ready(r, freeAt + handOff)
            return true
        case .step:
            processOutputs(stepOutputs.popFirst()!, from: start)
        case .arrival:
            let r = arrivals.popFirst()!
            if tokenisesOnLoop {
                freeAt = start + receiveCost + Double(r.promptTokens) * promptTokenCost
                tokenised.append(r, at: freeAt)
            } else {
                freeAt = start + receiveCost
                tokenizerFreeAt = max(tokenizerFreeAt, freeAt) + Double(r.promptTokens) * promptTokenCost
                tokenised.append(r, at: tokenizerFreeAt)
            }
        }
        nextReady()
        return false
    }

    /// Runs the chunk tasks at the head of ``woken`` that one slice woke at `readyAt`, one after another, while
    /// each starts at or before `maxStart` and before `horizon` (and, when `untilDelivery`, at or before the
    /// first delivery not yet taken): what ``runPiece(_:_:)`` does for each, with ``next`` unchanged between them
    /// (nothing else can become ready meanwhile, and the woken queue wins ties), found once at the end.
    private mutating func runChunks(
        readyAt: Double, through maxStart: Double, before horizon: Double, untilDelivery: Bool
    ) {
        var maxStart = maxStart
        var taken = 0
        let available = woken.count
        while taken < available, woken.time(at: taken) == readyAt {
            let job = woken.entry(at: taken)
            if job == Self.continuationJob { break }
            let start = max(freeAt, readyAt)
            guard start <= maxStart, start < horizon else { break }
            taken += 1
            if deliverChunk(Int(job), from: start), untilDelivery { maxStart = min(maxStart, freeAt) }
        }
        woken.removeFirst(taken)
        if taken > 0 { handlerDoneAt = nil }
        nextReady()
    }

    /// One slice of a step's outputs: into the collectors, waking each request's task that is not yet woken.
    ///
    /// The output handler is one task (`AsyncLLM.output_handler`): after a slice it yields, so the rest of the
    /// step's outputs go to the back of the loop, behind the tasks the slice woke, and no later step's outputs
    /// start before them. After a step's last slice it does not yield: the next step's outputs, when the engine
    /// has sent them already, are taken at once (an awaited queue that holds an item does not suspend), so a
    /// behind handler merges only what consecutive steps put for a request before its task runs
    /// (docs/engine.md §10).
    private mutating func processOutputs(_ events: ArraySlice<RequestEvent>, from start: Double) {
        var events = events
        var start = start
        while true {
            let slice = events.prefix(Self.outputSliceSize)
            freeAt = start + Double(slice.count) * outputCost
            // The slice's puts on the collectors borrowed once; the tasks they wake join ``woken`` together, in
            // order.
            let handles = handleOfID
            var wake = wakeScratch
            wakeScratch = []
            wake.removeAll(keepingCapacity: true)
            collectors.withUnsafeMutableBufferPointer { cs in
                for e in slice {
                    guard let i = handles.slot(of: e.id) else { continue }
                    let h = handles[slot: i]
                    if cs[Int(h)].put(e) { wake.append(h) }
                }
            }
            woken.append(contentsOf: wake, at: freeAt)
            wakeScratch = wake
            let rest = events.dropFirst(slice.count)
            if !rest.isEmpty {
                continuations.append(rest, at: freeAt)
                woken.append(Self.continuationJob, at: freeAt)
                handlerBusy = true
                return
            }
            handlerBusy = false
            guard let t = stepOutputs.firstTime, t <= freeAt else {
                handlerDoneAt = freeAt
                return
            }
            events = stepOutputs.popFirst()!
            start = freeAt
        }
    }

    /// A request's task takes what its collector holds and writes one chunk; returns whether it made a delivery.
    /// Inlined: it runs once per stream chunk, most of them in ``runChunks(readyAt:through:before:untilDelivery:)``.
    @inline(__always)
    @discardableResult
    private mutating func deliverChunk(_ h: Int, from start: Double) -> Bool {
        let c = collectors[h]
        if c.dropped {
            // The request went away after its task woke: the task finds no collector and writes nothing.
            freeHandles.append(Int32(h))
            return false
        }
        freeAt = start + chunkCost
        let delivers = deliversEveryChunk || c.firstToken || c.finished != nil
        if delivers {
            delivered.append(
                TokenDelivery(
                    id: c.id, newTokens: c.newTokens, outputTokens: c.outputTokens, isFirstToken: c.firstToken,
                    finished: c.finished, time: freeAt), at: freeAt)
        }
        if c.finished != nil {
            handleOfID.remove(c.id)
            freeHandles.append(Int32(h))
        } else {
            // The task took everything: the collector is empty again (not finished, not dropped: its id, output
            // count and mode stay).
            collectors[h].newTokens = 0
            collectors[h].firstToken = false
            collectors[h].woken = false
        }
        return delivers
    }

    private static func isOutput(_ e: RequestEvent) -> Bool { !e.preempted && (e.newTokens > 0 || e.finished != nil) }
}

/// Tokens of one request that reached its client: one stream chunk (several engine steps' tokens when the
/// request's task was behind), at the moment the API server finished writing it.
package struct TokenDelivery: Sendable, Equatable {
    package var id: UInt64
    /// Tokens in this chunk.
    package var newTokens: Int
    /// Output tokens delivered so far, this chunk's included.
    package var outputTokens: Int
    /// Whether the chunk carries the request's first output token.
    package var isFirstToken: Bool
    /// Set when the chunk ends the request.
    package var finished: FinishReason?
    /// Simulated time the client receives it.
    package var time: Double

    package init(
        id: UInt64, newTokens: Int, outputTokens: Int, isFirstToken: Bool, finished: FinishReason?, time: Double
    ) {
        self.id = id
        self.newTokens = newTokens
        self.outputTokens = outputTokens
        self.isFirstToken = isFirstToken
        self.finished = finished
        self.time = time
    }
}
