import Foundation
import MoECore
import Synchronization

/// How a run ended, for the exit code.
public enum EvaluationStatus: Sendable, Equatable {
    case completed
    /// Files were written, but the run is not a success (no records, unsupported backend, interrupted, …).
    case incomplete(String)
}

/// The seed's job (DESIGN.md §5): load → (clear) → warm-up → start recording → status → send → stop → dump →
/// metrics → files. Responses are logged as they arrive; an interruption (``interrupt()``) or a dead server still
/// ends with all four files written from what was collected.
public final class Evaluation: Sendable {
    public let config: EvaluationConfig
    private let sending = Mutex<Task<Void, Never>?>(nil)
    private let interrupted = Atomic<Bool>(false)

    public init(config: EvaluationConfig) { self.config = config }

    /// Stops sending (from a signal handler's thread): requests in flight are cancelled, the rest not sent; the
    /// run then stops recording, dumps and writes its files.
    public func interrupt() {
        interrupted.store(true, ordering: .relaxed)
        sending.withLock { $0?.cancel() }
    }

    /// Runs the evaluation on an already loaded dataset.
    /// - Throws: ``OutputError`` when the output directory cannot be written; server problems are not thrown
    ///   but reported in the status and the files.
    public func run(dataset: Dataset) async throws -> (status: EvaluationStatus, metrics: JSONValue) {
        let log = StatusLog(quiet: config.quiet)
        let files = try OutputFiles(directory: config.outputDir)
        try files.write(OutputFiles.config, config.json)

        let client: HTTPClient
        do {
            var cc = HTTPClient.Configuration()
            cc.maxConnections = min(max(config.concurrency ?? dataset.items.count, 8), 1024)
            cc.requestTimeout = .seconds(config.timeout)
            client = try HTTPClient(configuration: cc)
        } catch {
            throw OutputError(description: "cannot start the HTTP client: \(error)")
        }
        defer { client.shutdown() }
        let retry = RetryPolicy(maxRetries: config.retries)
        let session = ServerSession(
            client: client, baseURL: config.baseURL, model: config.model, retry: retry,
            timeout: .seconds(config.timeout))
        var problems: [String] = []

        if config.clearBefore {
            if case .failed(let f) = await session.post("/clear_batch_recording") {
                log.warn("clear_batch_recording failed: \(f)")
            }
        }

        // Warm-up: cold-starts the instance so recording starts on a ready one (sllm_api.md §5.1 step 3).
        log.say("Warm-up request…")
        let warm = await session.post(
            "/v1/chat/completions",
            [
                "model": .string(config.model), "messages": [["role": "user", "content": "Hello"]], "max_tokens": 10,
            ], timeout: .seconds(max(config.timeout, 600)))
        if case .failed(let f) = warm {
            log.warn("warm-up request failed: \(f)")
            if f.status == nil { problems.append("server unreachable at \(config.serverURL): \(f.message)") }
        }

        var recording = false
        if problems.isEmpty {
            switch await session.post("/start_batch_recording") {
            case .ok(let v):
                recording = true
                log.say("Recording started (instance \(v["instance_id"]?.stringValue ?? "?")).")
            case .failed(let f):
                log.warn("start_batch_recording failed: \(f)")
                problems.append(Evaluation.advice(for: f))
            }
            if recording, case .ok(let s) = await session.get("/batch_recording_status") {
                log.say("Recording status: \(s.serialized(compact: true))")
            }
        }

        // Send every request; log each answer as it arrives.
        let partial = PartialOutputLog(path: files.path(OutputFiles.partial))
        let payloads = dataset.items.map { payload(for: $0, in: dataset) }
        let requester = ChatRequester(
            client: client, url: config.baseURL + "/v1/chat/completions", retry: retry,
            timeout: .seconds(config.timeout), stream: config.stream)
        let schedule = RequestSchedule(concurrency: config.concurrency, rate: config.requestRate, seed: config.seed)
        let progress = Progress(total: payloads.count, quiet: config.quiet)
        let collected = Mutex<[RequestOutcome]>([])
        let runStart = ContinuousClock.now
        if problems.first?.hasPrefix("server unreachable") != true {
            log.say("Sending \(payloads.count) requests to \(config.serverURL)…")
            let items = dataset.items
            let dsName = config.dataset.rawValue
            let task = Task {
                await schedule.run(
                    count: payloads.count,
                    { i in await requester.run(index: i, payload: payloads[i], runStart: runStart) },
                    done: { outcome in
                        collected.withLock { $0.append(outcome) }
                        progress.tick(failed: !outcome.succeeded)
                        let item = items[outcome.index]
                        partial.append(
                            OutputFiles.entry(
                                prompt: item.input, expected: item.target, outcome: outcome, dataset: dsName))
                    })
            }
            sending.withLock { $0 = task }
            if interrupted.load(ordering: .relaxed) { task.cancel() }
            await task.value
            progress.finish()
        }
        let wall = seconds(runStart.duration(to: .now))
        partial.close()
        if interrupted.load(ordering: .relaxed) { problems.append("interrupted: results so far were written") }

        // Stop and dump (also after an interruption: what was recorded is kept).
        var dump: JSONValue = .object(JSONObject())
        var records: [JSONValue] = []
        if recording {
            if case .failed(let f) = await session.post("/stop_batch_recording", timeout: .seconds(30)) {
                log.warn("stop_batch_recording failed: \(f)")
            }
            switch await session.post("/dump_batch_recording", timeout: .seconds(max(config.timeout, 60))) {
            case .ok(var d):
                // The sllm client maps a `batches` key to `records` (§5.1 step 8).
                if d["records"] == nil, let batches = d["batches"], case .object(var o) = d {
                    o["records"] = batches
                    d = .object(o)
                }
                dump = d
                records = d["records"]?.arrayValue ?? []
            case .failed(let f):
                log.warn("dump_batch_recording failed: \(f)")
                dump = ["status": "error", "message": .string(f.description)]
            }
            if records.isEmpty {
                problems.append(
                    "✗ No batch data collected. Check if backend is vllm_moecap.\n" + Evaluation.noDataAdvice)
            }
        }
        var groundTruth: [JSONValue]?
        if recording, config.groundTruth,
            case .ok(let t) = await session.post("/fake_sllm/dump_ground_truth", timeout: .seconds(30))
        {
            groundTruth = t["steps"]?.arrayValue
        }

        // Metrics and files. Models outside the catalog need their HF config (downloaded and cached).
        let (scoringConfig, configWarning) =
            records.isEmpty ? (config, nil) : await ModelConfigFetcher.resolving(config)
        if let configWarning { log.warn(configWarning) }
        var outcomes = collected.withLock { $0 }
        outcomes.sort { $0.index < $1.index }
        var byIndex = [RequestOutcome?](repeating: nil, count: dataset.items.count)
        for o in outcomes { byIndex[o.index] = o }
        let input = ScoringInput(
            config: scoringConfig, targets: dataset.items.map(\.target),
            responses: byIndex.map { $0?.succeeded == true ? $0!.text : "" }, outcomes: outcomes, records: records,
            wallSeconds: wall, groundTruth: groundTruth)
        let report = MetricsReport.build(input)
        for w in report.warnings { log.warn(w) }
        try files.write(OutputFiles.batchData, dump)
        let entries: [JSONValue] = dataset.items.enumerated().map { i, item in
            let outcome =
                byIndex[i]
                ?? RequestOutcome(index: i, response: nil, text: "", error: "not sent", startOffset: 0)
            return OutputFiles.entry(
                prompt: item.input, expected: item.target, outcome: outcome, dataset: config.dataset.rawValue)
        }
        try files.write(OutputFiles.inferenceOutputs, .array(entries))
        try? FileManager.default.removeItem(atPath: files.path(OutputFiles.partial))
        try files.write(OutputFiles.metrics, report.json)
        switch RunReport.write(directory: config.outputDir, groundTruth: groundTruth) {
        case .success(let page): log.say("Report: \(page)")
        case .failure(let error): log.warn("report.html not written: \(error)")
        }
        let status: EvaluationStatus = problems.isEmpty ? .completed : .incomplete(problems.joined(separator: "\n"))
        return (status, report.json)
    }

    /// The chat payload of one item: the original script's body (sllm_api.md §5.1 step 6).
    func payload(for item: DatasetItem, in dataset: Dataset) -> JSONValue {
        var body = JSONObject([
            ("model", .string(config.model)), ("messages", config.promptStyle.messages(for: item, in: dataset)),
            ("max_tokens", .int(dataset.maxTokens ?? config.maxTokens)), ("temperature", .double(config.temperature)),
        ])
        if dataset.ignoreEOS { body["ignore_eos"] = true }
        return .object(body)
    }

    /// The seed README's troubleshooting advice for a failed start.
    static func advice(for failure: ServerFailure) -> String {
        if failure.isUnsupportedBackend {
            return """
                ✗ Model does not support batch recording: \(failure.message)
                Make sure your model is deployed with backend: "vllm_moecap" in the config file, e.g.
                  {"model": "<model>", "backend": "vllm_moecap", ...}
                """
        }
        if failure.isNoInstance {
            return "✗ Recording could not start: no ready instance of the model (is it deployed and loaded?)"
        }
        return "✗ Recording could not start: \(failure)"
    }

    static let noDataAdvice = """
        This can happen if:
          1. The model wasn't deployed with vllm_moecap backend
          2. No inference requests were processed during recording
          3. Recording wasn't started successfully
        """
}
