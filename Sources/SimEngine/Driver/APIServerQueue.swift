import MoECore

/// The API-server process in front of one engine: a single process that does every request's set-up (HTTP
/// parsing, tokenising the prompt, building the engine request) and every step's output processing
/// (detokenising, building and writing the stream chunks), one piece of work at a time (docs/engine.md §10).
///
/// vLLM 0.11's OpenAI server runs one asyncio process per server (`--api-server-count` 1): prompts are tokenised
/// on a single-worker thread pool (`serving_engine.py`, vllm-project/vllm#25301) and the output handler
/// detokenises each step's outputs in the same process, so a burst of requests queues in front of the engine
/// and the outputs of a large batch delay the set-up of the requests behind it. Modelled as one FIFO server:
/// a request costs `apiRequestOverhead + promptTokens · apiPromptTokenOverhead`, a step's outputs cost
/// `apiOutputTokenOverhead` per output token; a request reaches the engine `frontendLatency` after its set-up
/// ends (IPC, the engine loop picking it up).
///
/// Work is assigned lazily, in time order, only up to the moment the driver has reached: requests submitted
/// later but stamped earlier than a step's end still go before that step's outputs, as they would in the process.
///
/// Threading: not `Sendable`; owned by one ``EngineDriver``.
struct APIServerQueue {
    /// Per-request, per-prompt-token and per-output-token CPU seconds, and the fixed hand-off latency.
    let requestCost: Double
    let promptTokenCost: Double
    let outputTokenCost: Double
    let handOff: Double

    /// When the process finishes the work assigned so far.
    private(set) var freeAt: Double
    /// Submitted requests whose set-up has not started, in submission order.
    private var unstarted: [(request: EngineRequest, arrival: Double)] = []
    private var unstartedHead = 0
    /// Output batches not yet processed: (step end, CPU seconds).
    private var outputs: [(at: Double, cost: Double)] = []
    private var outputsHead = 0

    init(calibration c: Calibration, startTime: Double) {
        requestCost = c.apiRequestOverhead
        promptTokenCost = c.apiPromptTokenOverhead
        outputTokenCost = c.apiOutputTokenOverhead
        handOff = c.frontendLatency
        freeAt = startTime
    }

    /// Requests whose set-up has not started.
    var waiting: Int { unstarted.count - unstartedHead }

    /// Set-up seconds of `r`.
    func cost(of r: EngineRequest) -> Double { requestCost + Double(r.promptTokens) * promptTokenCost }

    mutating func submit(_ r: EngineRequest, at arrival: Double) { unstarted.append((r, arrival)) }

    /// A step that ended at `time` produced `tokens` output tokens.
    mutating func stepOutputs(tokens: Int, at time: Double) {
        guard tokens > 0, outputTokenCost > 0 else { return }
        outputs.append((time, Double(tokens) * outputTokenCost))
    }

    /// Drops a request whose set-up has not started; returns whether it was found there.
    mutating func remove(id: UInt64) -> Bool {
        guard let i = unstarted[unstartedHead...].firstIndex(where: { $0.request.id == id }) else { return false }
        unstarted.remove(at: i)
        return true
    }

    /// Assigns, in time order, every piece of work that starts at or before `time`; calls `ready` with each
    /// request and the moment it reaches the engine (nondecreasing).
    mutating func run(until time: Double, _ ready: (EngineRequest, Double) -> Void) {
        while true {
            let nextRequest = unstartedHead < unstarted.count ? unstarted[unstartedHead].arrival : Double.infinity
            let nextOutput = outputsHead < outputs.count ? outputs[outputsHead].at : Double.infinity
            let first = min(nextRequest, nextOutput)
            guard first.isFinite, max(first, freeAt) <= time else { break }
            if nextOutput <= nextRequest {
                freeAt = max(freeAt, nextOutput) + outputs[outputsHead].cost
                outputsHead += 1
            } else {
                let r = unstarted[unstartedHead].request
                freeAt = max(freeAt, nextRequest) + cost(of: r)
                unstartedHead += 1
                ready(r, freeAt + handOff)
            }
        }
        if unstartedHead == unstarted.count {
            unstarted.removeAll(keepingCapacity: true)
            unstartedHead = 0
        }
        if outputsHead == outputs.count {
            outputs.removeAll(keepingCapacity: true)
            outputsHead = 0
        }
    }

    /// When the next unstarted request would reach the engine if no other work arrived; nil when none waits.
    func nextReady() -> Double? {
        guard unstartedHead < unstarted.count else { return nil }
        let head = unstarted[unstartedHead]
        var free = freeAt
        var i = outputsHead
        while i < outputs.count, outputs[i].at <= head.arrival {
            free = max(free, outputs[i].at) + outputs[i].cost
            i += 1
        }
        return max(head.arrival, free) + cost(of: head.request) + handOff
    }
}
