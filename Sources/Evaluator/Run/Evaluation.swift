import EvaluatorClient
import Foundation
import MoECore
import Synchronization

/// How a run ended, for the exit code. A value type: `Sendable`.
package enum EvaluationStatus: Sendable, Equatable {
    case completed
    /// Files were written, but the run is not a success.
    case incomplete([RunProblem])
}

/// The seed's job (docs/evaluator.md "Flow"): load → (clear) → warm-up → start recording → status → send →
/// stop → dump → metrics → files. Each phase returns a value (``SendDecision``, ``RecordingStart``,
/// ``RecordingCollection``) and ``RunVerdict`` turns them into the run's problems. Responses are logged as they
/// arrive; an interruption (``interrupt()``) or a dead server still ends with every file written from what was
/// collected.
///
/// Threading: `Sendable`. ``run(dataset:)`` once per instance; ``interrupt()`` from any thread (a signal
/// handler's), at any time.
package final class Evaluation: Sendable {
    package let config: EvaluationConfig
    private let transport: (any HTTPTransport)?
    /// Cancels the phase that is running now (warm-up or sending), if any.
    private let cancelCurrent = Locked<(@Sendable () -> Void)?>(nil)
    private let interrupted = Atomic<Bool>(false)

    /// - Parameters:
    ///   - config: the run's settings.
    ///   - transport: the HTTP transport; nil makes an ``HTTPClient`` sized for `config.concurrency`.
    package init(config: EvaluationConfig, transport: (any HTTPTransport)? = nil) {
        self.config = config
        self.transport = transport
    }

    /// Stops the run early: the warm-up or the requests in flight are cancelled and the rest not sent; the run
    /// then stops recording, dumps and writes its files. Any thread.
    package func interrupt() {
        interrupted.store(true, ordering: .sequentiallyConsistent)
        cancelCurrent.withLock { $0?() }
    }

    private var wasInterrupted: Bool { interrupted.load(ordering: .sequentiallyConsistent) }

    /// Runs the evaluation on an already loaded dataset.
    /// - Throws: ``OutputError`` when the output directory cannot be written or the HTTP client cannot start;
    ///   server problems are not thrown but reported in the status and the files.
    package func run(dataset: Dataset) async throws -> (status: EvaluationStatus, metrics: JSONValue) {
        let log = StatusLog(quiet: config.quiet)
        let files = try OutputFiles(directory: config.outputDir)
        try files.write(OutputFiles.config, config.json)

        let (transport, ownedClient) = try makeTransport()
        defer { ownedClient?.shutdown() }
        let timeout = Duration.seconds(config.timeout)
        let session = ServerSession(
            transport: transport, baseURL: config.baseURL, model: config.model,
            retry: RetryPolicy(maxRetries: config.retries), timeout: timeout)
        let recorder = RecordingControl(
            session: session, model: config.model, expertMode: config.expertRecording, groundTruth: config.groundTruth,
            dumpTimeout: .seconds(max(config.timeout, 60)), log: log)

        if config.clearBefore { await recorder.clear() }
        let warmUp = await interruptible { await self.warmUp(transport, log: log) }
        let decision = SendDecision.after(
            warmUp: warmUp.failure, serverURL: config.serverURL, timeout: config.timeout, interrupted: wasInterrupted)
        var started = RecordingStart.skipped
        if decision == .send { started = await recorder.start() }

        let partial = PartialOutputLog(path: files.path(OutputFiles.partial))
        let runStart = ContinuousClock.now
        var outcomes: [RequestOutcome] = []
        var compactEntries: [[UInt8]?] = []
        if decision == .send {
            log.say(
                "Sending \(dataset.items.count) requests to \(config.serverURL) (at most \(config.concurrency) in flight)…"
            )
            (outcomes, compactEntries) = await interruptible {
                await self.send(dataset, transport: transport, runStart: runStart, partial: partial)
            }
        }
        let wall = runStart.duration(to: .now).inSeconds
        partial.close()

        let collection = await recorder.collect(started)
        let problems = RunVerdict.problems(
            decision: decision, recording: started, outcomes: outcomes, collection: collection,
            interrupted: wasInterrupted, allowFailures: config.allowFailures)
        let metrics = try await RunOutputs.write(
            RunOutputs.Input(
                config: config, dataset: dataset, outcomes: outcomes, warmUp: warmUp, wallSeconds: wall,
                collection: collection, compactEntries: compactEntries),
            to: files, log: log)
        return (problems.isEmpty ? .completed : .incomplete(problems), metrics)
    }

    /// The connections the run's own ``HTTPClient`` opens at most: one per request in flight and a few for control
    /// calls, within the descriptors a process usually has. Requests beyond it wait in the client.
    private var connectionSlots: Int { min(max(config.concurrency, 1) + 4, 1028) }

    /// The client the run sends through: the injected transport, or a new ``HTTPClient`` (returned too, to be
    /// shut down).
    private func makeTransport() throws -> (any HTTPTransport, HTTPClient?) {
        if let transport { return (transport, nil) }
        var cc = HTTPClient.Configuration()
        cc.maxConnections = connectionSlots
        cc.requestTimeout = .seconds(config.timeout)
        cc.bearerToken = config.apiKey
        do {
            let client = try HTTPClient(configuration: cc)
            return (client, client)
        } catch {
            throw OutputError(description: "cannot start the HTTP client: \(error)")
        }
    }

    /// The warm-up request: cold-starts the instance so recording starts on a ready one (docs/evaluator.md
    /// "Flow"). It honours `--timeout` (a timed-out warm-up is not retried: it already waited that long) and
    /// ``interrupt()``; its timing is reported (a cold start shows in it). When the run declares its closed loop,
    /// the warm-up declares itself too, as a loop of one request of its own: fake-sllm then holds for it by
    /// count, not for a burst window before and after it (docs/serving.md "Reproducible arrivals", rule 5).
    private func warmUp(_ transport: any HTTPTransport, log: StatusLog) async -> RequestOutcome {
        log.say("Warm-up request…")
        var warmUp = requester(transport)
        warmUp.retry.retriesTimeouts = false
        let schedule = RequestSchedule(concurrency: 1, rate: config.requestRate, seed: config.seed)
        if let plan = schedule.closedLoopPlan(count: 1) {
            warmUp.headers.add(name: ClosedLoopPlan.headerName, value: plan.headerValue)
        }
        let outcome = await warmUp.run(
            index: -1,
            payload: [
                "model": .string(config.model), "messages": [["role": "user", "content": "Hello"]], "max_tokens": 10,
            ], runStart: .now)
        if let f = outcome.failure { log.warn("warm-up request failed: \(f)") }
        return outcome
    }

    /// The chat requester of this run (`stream` only for the dataset's requests).
    private func requester(_ transport: any HTTPTransport, stream: Bool = false) -> ChatRequester {
        ChatRequester(
            transport: transport, url: config.baseURL + "/v1/chat/completions",
            retry: RetryPolicy(maxRetries: config.retries), timeout: .seconds(config.timeout), stream: stream,
            maxResponseBytes: config.maxResponseBytes)
    }

    /// Sends every item under the schedule; logs each answer as it arrives. Returns the outcomes in dataset order,
    /// and each item's partial-log line by dataset index (nil where none was written).
    private func send(
        _ dataset: Dataset, transport: any HTTPTransport, runStart: ContinuousClock.Instant, partial: PartialOutputLog
    ) async -> ([RequestOutcome], [[UInt8]?]) {
        let payloads = dataset.items.map { payload(for: $0, in: dataset) }
        let schedule = RequestSchedule(concurrency: config.concurrency, rate: config.requestRate, seed: config.seed)
        var chat = requester(transport, stream: config.stream)
        // Its own client sends at most `connectionSlots` at once, the rest as connections free up.
        let connections = self.transport == nil ? connectionSlots : nil
        if let plan = schedule.closedLoopPlan(count: payloads.count, connections: connections) {
            chat.headers.add(name: ClosedLoopPlan.headerName, value: plan.headerValue)
            // Its own client lets each next request go the moment an answer comes (docs/evaluator.md "Flow").
            if connections != nil {
                chat.gate = ClosedLoopGate(limit: plan.workers)
            }
        }
        let requester = chat
        let progress = Progress(total: payloads.count, quiet: config.quiet)
        var outcomes: [RequestOutcome] = []
        var lines = [[UInt8]?](repeating: nil, count: payloads.count)
        let items = dataset.items
        let dsName = config.dataset.rawValue
        await schedule.run(
            count: payloads.count, slots: connections, ahead: chat.gate?.limit ?? 0,
            { i, allowed in
                await requester.run(index: i, payload: payloads[i], runStart: runStart, allowedAt: allowed)
            },
            done: { answered in
                var outcome = answered
                outcome.extractAnswer(dataset: dsName)
                outcomes.append(outcome)
                progress.tick(failed: !outcome.succeeded)
                let item = items[outcome.index]
                lines[outcome.index] = partial.append(
                    OutputFiles.entry(prompt: item.input, expected: item.target, outcome: outcome, dataset: dsName))
            })
        progress.finish()
        return (outcomes.sorted { $0.index < $1.index }, lines)
    }

    /// Runs `work` as the current interruptible phase: ``interrupt()`` cancels it.
    private func interruptible<T: Sendable>(_ work: @escaping @Sendable () async -> T) async -> T {
        let task = Task { await work() }
        cancelCurrent.withLock { $0 = { task.cancel() } }
        if wasInterrupted { task.cancel() }
        let value = await task.value
        cancelCurrent.withLock { $0 = nil }
        return value
    }

    /// The chat payload of one item: the original script's body (docs/evaluator.md "Flow").
    func payload(for item: DatasetItem, in dataset: Dataset) -> JSONValue {
        var body = JSONObject([
            ("model", .string(config.model)), ("messages", config.promptStyle.messages(for: item, in: dataset)),
            ("max_tokens", .int(dataset.maxTokens ?? config.maxTokens)), ("temperature", .double(config.temperature)),
        ])
        if dataset.ignoreEOS { body["ignore_eos"] = true }
        return .object(body)
    }
}
