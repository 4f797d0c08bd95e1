import MoECore
import SimEngine

/// A parsed generation request, whichever API it came through: the prompt as the engine sees it and the
/// sampling parameters that shape the completion.
struct GenerationInput {
    var prompt: String
    var promptTokens: Int
    /// The prompt's token ids when the client gave them (their blocks key the prefix cache), else nil.
    var tokenIds: [Int]? = nil
    /// The last user turn (the answer oracle's key), if any.
    var userText: String?
    var sampling: SamplingParams
    /// `max_tokens` after the model-length cap.
    var maxTokens: Int
    /// What the model writes when its answer has a shape (structured outputs, tool calls; docs/openai-mode.md):
    /// given a target length in tokens and a seed, the text, or nil for free text.
    var shaped: (@Sendable (_ tokens: Int, _ seed: UInt64) -> String?)? = nil
}

/// What renders one generation's answer (ServerlessLLM's ``ChatJob`` or vLLM's ``OpenAIJob``): the reply
/// target, one sink per choice, and the simulated arrival time.
protocol GenerationJob: AnyObject, Sendable {
    var target: ChatJob.Target { get }
    /// The simulated arrival time the host gave the request.
    func noteArrival(_ sim: Double)
    /// Choice `index` got `newTokens` tokens (and its end, with `finished`) at simulated time `simTime`.
    func deliver(index: Int, newTokens: Int, finished: FinishReason?, simTime: Double)
    /// The request could not run (vLLM's error, or the router's).
    func fail(_ message: String, engineError: Bool)
}

extension GenerationJob {
    /// The sink that receives choice `index`'s progress.
    func requestSink(_ index: Int) -> any RequestSink { ChoiceSink(job: self, index: index) }
}

extension ChatJob: GenerationJob {}

/// The serving layer's view of one choice of a job, in either API mode. Called on the host thread.
final class ChoiceSink: RequestSink {
    let job: any GenerationJob
    let index: Int
    init(job: any GenerationJob, index: Int) {
        self.job = job
        self.index = index
    }
    func deliver(newTokens: Int, finished: FinishReason?, simTime: Double) {
        job.deliver(index: index, newTokens: newTokens, finished: finished, simTime: simTime)
    }
    func fail(_ message: String, engineError: Bool) { job.fail(message, engineError: engineError) }
}

extension SLLMAPI {
    /// The submission path both APIs share, for one prompt.
    func submit(
        _ deployment: Deployment, _ input: GenerationInput, plan: ClosedLoopPlan? = nil,
        makeJob: ([ChatJob.Choice]) -> any GenerationJob
    ) -> Reply {
        submit(deployment, [input], plan: plan, makeJob: makeJob)
    }

    /// The submission path both APIs share: plans each choice's text (deterministic per prompt under greedy
    /// decoding, per seed otherwise) — `n` choices per prompt, prompt by prompt (choice `i·n + j`, as vLLM numbers
    /// a batch of prompts) — lets `makeJob` build the renderer, submits every choice to the deployment's host,
    /// wires client cancellation and the metrics (docs/metrics.md), and returns the reply. `plan`: what the client
    /// declared about itself in its headers (docs/serving.md "Reproducible arrivals").
    func submit(
        _ deployment: Deployment, _ inputs: [GenerationInput], plan: ClosedLoopPlan? = nil,
        makeJob: ([ChatJob.Choice]) -> any GenerationJob
    ) -> Reply {
        var choices: [ChatJob.Choice] = []
        // One router request per prompt, holding its `n` choices (docs/serving.md "n > 1").
        var engine: [(requests: [EngineRequest], orderKey: UInt64)] = []
        let blockSize = deployment.engineConfig.blockSize
        for input in inputs {
            let sampling = input.sampling
            let promptHash = stableHash(input.prompt.utf8, seed: deployment.settings.seed &+ 0x5151)
            // A shaped answer (JSON, tool calls) is written whatever the oracle knows.
            let answer =
                input.shaped != nil
                ? nil : deployment.oracle.flatMap { oracle in input.userText.flatMap { oracle.answer(for: $0) } }
            let blockHashes =
                input.tokenIds.map { BlockHasher.hashes(tokens: $0, blockSize: blockSize) }
                ?? PrefixHashes.blocks(of: input.prompt, blockSize: blockSize)
            engine.append(([], promptHash))
            for i in 0..<sampling.n {
                var seed = promptHash &+ UInt64(i) &* 0x9E37_79B9
                if let s = sampling.seed {
                    seed ^= UInt64(bitPattern: Int64(s)) &* 0xD6E8_FEB8_6659_FD93
                } else if sampling.temperature > 0 {
                    seed ^= deployment.newRequestId() &* 0xA24B_AED4_963E_E407
                }
                let plan = CompletionPlan.make(
                    sampling: sampling, maxTokens: input.maxTokens, settings: deployment.settings, rngSeed: seed,
                    answer: answer?.text(choice: i), shaped: input.shaped)
                let c = ChatJob.Choice(plan: plan, engineId: deployment.newRequestId())
                choices.append(c)
                var request = EngineRequest(
                    id: c.engineId, promptTokens: input.promptTokens, maxTokens: input.maxTokens,
                    outputTokens: c.plan.tokens)
                request.minTokens = sampling.minTokens
                // The plan already decided where the text ends (ignore_eos, min_tokens and stop strings included).
                request.ignoreEOS = false
                request.prefixBlockHashes = blockHashes
                // Requests that share an arrival instant enter in the order of their content (docs/serving.md).
                engine[engine.count - 1].requests.append(request)
            }
        }
        let job = makeJob(choices)
        let host = deployment.host
        let metrics = deployment.metrics
        let ids = choices.map(\.engineId)
        // ServerlessLLM's gateway awaits the Ray call and nothing cancels it: a request whose client hung up runs
        // to its end and is recorded (docs/serving.md "Client hang-ups"). vLLM's own server aborts it.
        let runsOn = deployment.settings.serving == .sllm && deployment.settings.api == .sllm
        let cancel: @Sendable () -> Void = {
            guard !runsOn else { return }
            for id in ids {
                host.abort(id)
                metrics.requestAborted(id: id)
            }
        }
        switch job.target {
        case .response(let p): p.onCancel(cancel)
        case .stream(let s): s.onCancel(cancel)
        }
        // vLLM's OpenAI server asks a non-streamed request's engine outputs as FINAL_ONLY (one output at the end);
        // ServerlessLLM's backend iterates every cumulative output whether or not its client streams
        // (docs/engine.md §10).
        var finalOnly = deployment.settings.api == .openai
        if case .stream = job.target { finalOnly = false }
        var choiceIndex = 0
        for (k, e) in engine.enumerated() {
            var group: [(request: EngineRequest, sink: any RequestSink)] = []
            for var r in e.requests {
                r.finalOutputOnly = finalOnly
                metrics.requestSubmitted(id: r.id, promptTokens: r.promptTokens, maxTokens: r.maxTokens)
                group.append((r, MeteredSink(job.requestSink(choiceIndex), metrics: metrics, id: r.id)))
                choiceIndex += 1
            }
            // A request of several prompts is several router requests: its client's plan counts whole requests.
            guard let arrival = host.submit(group: group, orderKey: e.orderKey, plan: engine.count == 1 ? plan : nil)
            else {
                for r in e.requests { metrics.requestFailed(id: r.id) }
                return .now(.json(["error": "Instance stopped"]))
            }
            for r in e.requests {
                metrics.requestArrived(
                    id: r.id, at: arrival, queuedAt: arrival + deployment.engineConfig.calibration.frontendLatency)
            }
            job.noteArrival(arrival)
            if case .stream(let s) = job.target, k == 0 {
                s.addHeader("X-Fake-SLLM-Arrival-S", JSONValue.pythonFloatText(arrival))
            }
        }
        switch job.target {
        case .response(let p): return .later(p)
        case .stream(let s): return .stream(s)
        }
    }
}
