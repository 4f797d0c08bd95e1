import ArgumentParser
import FakeSLLM
import FakeSLLMHTTP
import Foundation
import Logging
import MoECore
import SimEngine

/// `fake-sllm serve`: the HTTP server.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve ServerlessLLM's HTTP API (default command).",
        discussion: """
            The default address 127.0.0.1:8500 is the evaluator's default --server-url; a real `sllm start` \
            listens on 8343. Deploy models with POST /register or --deploy FILE (a ServerlessLLM deploy config; \
            its optional "fake_sllm" object overrides the simulator flags for that model).
            """)

    @Option(help: "Address to listen on: IPv4 or IPv6 literal, or a host name such as localhost.")
    var host = "127.0.0.1"
    @Option(help: "TCP port (0 picks a free one; real sllm uses 8343).") var port: UInt16 = 8500
    @Option(name: .customLong("deploy"), help: "Deploy config JSON file to register at start-up (repeatable).")
    var deployFiles: [String] = []
    @OptionGroup var gpu: GPUOption
    @OptionGroup var engine: EngineOptions
    @Option(help: "Simulated seconds per wall second (1 = real time).") var speedup: Double = 1
    @Flag(help: "Do not pace the simulation: run steps back to back (tests, sweeps).") var noWait = false
    @Option(help: "Mean completion length in tokens when not cut by max_tokens.") var outputLenMean: Double = 256
    @Option(help: "Log-normal spread of completion lengths.") var outputLenSigma: Double = 0.6
    @Option(
        help:
            "sllm: ServerlessLLM's router and autoscaler in front of the engines (default); direct: a bare vLLM server (default with --api openai)."
    )
    var serving: ServingMode?
    @Option(
        help:
            "sllm: ServerlessLLM's API, byte for byte (default); openai: vLLM's OpenAI-compatible server (vLLM 0.11), for the openai SDK, AIPerf, GuideLLM."
    )
    var api = APIMode.sllm
    @Flag(
        help:
            "--api openai: answer tool_choice \"auto\" (and tools without tool_choice) with a tool call or text, as vLLM started with --enable-auto-tool-choice; without it such requests get vLLM's 400."
    )
    var enableAutoToolChoice = false
    @Flag(
        help:
            "--api openai: precede each SSE event with a ': fake-sllm sim_t=…' comment (vLLM sends none; the X-Fake-SLLM-* headers stay)."
    )
    var sseComments = false
    @Option(help: "Simulated seconds to start an instance (overrides the cold-start model's terms).")
    var coldStart: Double?
    @Option(
        help: "NVMe bandwidth ServerlessLLM's loader reads a checkpoint at, GB/s (a model's first start on the node).")
    var storageBandwidthGbs: Double = ColdStartModel().storageBandwidth / 1e9
    @Option(help: "Host-memory pool bandwidth, GB/s (a model started on the node before).")
    var hostMemoryBandwidthGbs: Double = ColdStartModel().hostMemoryBandwidth / 1e9
    @Option(
        help: "Engine start-up besides loading the checkpoint, seconds (overrides those terms of the cold-start model)."
    )
    var engineStartup: Double?
    @Flag(help: "vLLM's torch.compile cache starts empty: a model's first start on the node compiles from scratch.")
    var noCompileCache = false
    @Option(name: .customLong("node-gpus"), help: "GPUs of the simulated node, shared by every instance.")
    var nodeGPUs = 8
    @Option(
        help:
            "Wall milliseconds the simulated clock holds for a burst of arrivals (0: off). (default: 2 ms × speedup, from 2 to 50; 50 with --no-wait)"
    )
    var burstWindowMs: Double?
    @Flag(
        help:
            "Hold the clock for bursts in --api openai too, so records do not depend on the client's timing (on by default with --api sllm; wall-clock clients then see the holds as latency)."
    )
    var reproducible = false
    @Option(
        help:
            "Wall milliseconds a client gets to answer a completion with its next request before a hold nobody can fill ends (at most the burst window)."
    )
    var arrivalGraceMs: Double = 20
    @Option(
        name: .customLong("quirk"),
        help:
            "Reproduce a defect of the real server (repeatable): tp_duplicate_records, reject_stream, failed_request_leak, no_autoscaling_config_hang. (dispatch_sleep, router_concurrency_cap and scale_to_zero are part of --serving sllm.)"
    )
    var quirks: [String] = []
    @Option(help: "Dataset file (JSONL/JSON rows) whose items the answer oracle recognises.") var oracleFile: String?
    @Option(help: "Dataset of --oracle-file: gsm8k, numinamath or longbench_v2.") var oracleDataset: String?
    @Option(help: "Probability that the oracle answers a known item correctly.") var oracleAccuracy: Double = 1
    @Option(help: "Largest request body in bytes (larger: 413).") var maxBodyBytes = 32 << 20
    @Option(help: "HTTP polling threads.") var threads = 2
    @Option(
        help:
            "Log level on stderr: trace, debug, info (adds one line per request), notice (default: start-up, models, instances), warning, error, critical."
    )
    var logLevel = Logger.Level.notice
    @Option(help: "Most open connections; past it requests other than /health get 503.")
    var maxConnections = HTTPServerOptions().maxConnections
    @Option(help: "Seconds a connection may sit idle (no byte in or out) before it is closed; 0 = never.")
    var idleTimeout = HTTPServerOptions().idleTimeout
    @Option(help: "Seconds for a request's line and headers to arrive.")
    var headerTimeout = HTTPServerOptions().headerTimeout
    @Option(help: "Seconds for a request's body to arrive once its headers are in.")
    var bodyTimeout = HTTPServerOptions().bodyTimeout
    @Option(help: "Most bytes a stream holds for a client that does not read; past it the stream is aborted.")
    var maxStreamBufferBytes = HTTPServerOptions().maxStreamBufferBytes
    @Option(help: "Require 'Authorization: Bearer KEY' on every route but /health and /metrics (or FAKE_SLLM_API_KEY).")
    var apiKey: String?
    @Option(help: "Accept file paths in /register bodies, for regular files under this directory only.")
    var allowConfigDir: String?
    @Option(help: "Most batch records kept per instance; recording past it stops with a logged error.")
    var maxRecords = BatchRecorder.defaultMaxRecords
    @Option(
        help: "Most bytes one whole (non-streamed) answer may take, estimated before work starts; larger are refused.")
    var maxAnswerBytes = AnswerBudget.defaultMaxAnswerBytes
    @Option(
        help:
            "Most bytes held for clients server-wide (queued answers, unread stream bytes); past it new work gets 503.")
    var maxHeldBytes = HeldBytes.defaultLimit
    @Option(help: "Most deployments at once; /register past it gets 503.")
    var maxModels = DeploymentRegistry.defaultMaxModels

    func validate() throws {
        guard speedup > 0 else { throw ValidationError("--speedup must be > 0 (use --no-wait for no pacing)") }
        guard (0...1).contains(oracleAccuracy) else { throw ValidationError("--oracle-accuracy must be in [0, 1]") }
        guard storageBandwidthGbs > 0, hostMemoryBandwidthGbs > 0, (engineStartup ?? 0) >= 0, (coldStart ?? 0) >= 0,
            (burstWindowMs ?? 0) >= 0, arrivalGraceMs >= 0,
            nodeGPUs >= 1
        else {
            throw ValidationError(
                "--storage-bandwidth-gbs > 0, --host-memory-bandwidth-gbs > 0, --engine-startup ≥ 0, --cold-start ≥ 0, --burst-window-ms ≥ 0, --arrival-grace-ms ≥ 0, --node-gpus ≥ 1"
            )
        }
        guard threads >= 1, maxBodyBytes >= 1024 else {
            throw ValidationError("--threads ≥ 1, --max-body-bytes ≥ 1024")
        }
        guard maxConnections >= 1, idleTimeout >= 0, headerTimeout > 0, bodyTimeout > 0, maxStreamBufferBytes >= 1024
        else {
            throw ValidationError(
                "--max-connections ≥ 1, --idle-timeout ≥ 0, --header-timeout > 0, --body-timeout > 0, "
                    + "--max-stream-buffer-bytes ≥ 1024")
        }
        guard maxRecords >= 1 else { throw ValidationError("--max-records must be ≥ 1") }
        guard maxAnswerBytes >= 1 << 20, maxHeldBytes >= 1 << 20, maxModels >= 1 else {
            throw ValidationError("--max-answer-bytes ≥ 1048576, --max-held-bytes ≥ 1048576, --max-models ≥ 1")
        }
        // An empty key would silently leave every route open (docs/http.md, "Access").
        if apiKey?.isEmpty == true { throw ValidationError("--api-key must not be empty (leave it out for no key)") }
    }

    func run() throws {
        // Block the signals before any thread starts, so they reach `sigwait` only.
        let signals = blockTerminationSignals()
        let level = logLevel
        LoggingSystem.bootstrap { label in
            // Control characters a client sent (model names, paths) are escaped, so they cannot forge log lines.
            var handler = EscapingLogHandler(StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        }
        var settings = SimulatorSettings()
        settings.gpuType = gpu.value ?? settings.gpuType
        settings.speedup = noWait ? nil : speedup
        settings.seed = engine.seed ?? 0
        settings.routing = engine.routing?.config
        settings.outputLengthMean = outputLenMean
        settings.outputLengthSigma = outputLenSigma
        if let serving {
            settings.serving = serving
            settings.servingIsExplicit = true
        }
        settings.api = api
        settings.coldStart.overrideSeconds = coldStart
        settings.coldStart.storageBandwidth = storageBandwidthGbs * 1e9
        settings.coldStart.hostMemoryBandwidth = hostMemoryBandwidthGbs * 1e9
        settings.coldStart.engineStartupOverride = engineStartup
        settings.coldStart.compileCacheWarm = !noCompileCache
        settings.burstWindowSeconds = burstWindowMs.map { $0 / 1000 }
        settings.reproducible = reproducible
        settings.arrivalGraceSeconds = arrivalGraceMs / 1000
        settings.nodeGPUs = nodeGPUs
        settings.enableAutoToolChoice = enableAutoToolChoice
        settings.sseComments = sseComments
        do {
            for quirk in quirks { try settings.quirks.set(quirk, true) }
            settings.calibrationOverride = try engine.calibrationOverride()
        } catch {
            throw runFailure("\(error)")
        }
        if let oracleFile {
            settings.oracle = OracleSettings(datasetFile: oracleFile, dataset: oracleDataset, accuracy: oracleAccuracy)
        }
        BatchRecorder.maxRecords = maxRecords
        let transport = TransportActivity()
        let registry = DeploymentRegistry(defaults: settings, maxModels: maxModels, transport: transport)
        for file in deployFiles {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw runFailure("cannot read deploy config \(file)")
            }
            do {
                let config = try DeployConfig(json: try JSONValue.parse([UInt8](data)))
                _ = try registry.register(config)
            } catch {
                throw runFailure("deploy config \(file): \(error)")
            }
        }
        var options = HTTPServerOptions()
        options.host = host
        options.port = port
        options.maxBodyBytes = maxBodyBytes
        options.threads = threads
        options.maxConnections = maxConnections
        options.idleTimeout = idleTimeout
        options.headerTimeout = headerTimeout
        options.bodyTimeout = bodyTimeout
        options.maxStreamBufferBytes = maxStreamBufferBytes
        options.maxHeldBytes = maxHeldBytes
        options.apiKey = APIKey(apiKey ?? ProcessInfo.processInfo.environment["FAKE_SLLM_API_KEY"] ?? "")
        var api = SLLMAPI(registry: registry)
        api.budget.maxAnswerBytes = maxAnswerBytes
        if let allowConfigDir {
            do { api.configFiles = try ConfigFilePolicy(allowing: allowConfigDir) } catch {
                throw runFailure(error.description)
            }
        }
        let server = HTTPServer(options: options, activity: transport, handler: { [api] in api.handle($0) })
        do { try server.start() } catch { throw runFailure(error.description) }
        if let note = server.connectionCap.note {
            FileHandle.standardError.write(Data("fake-sllm: warning: \(note)\n".utf8))
        }
        if options.apiKey == nil, !options.bindsLoopbackOnly {
            FileHandle.standardError.write(
                Data(
                    ("fake-sllm: warning: listening on \(host) beyond loopback without an API key; anyone who can "
                        + "reach it can register models and read files under --allow-config-dir (set --api-key)\n")
                        .utf8))
        }
        for d in registry.all {
            FileHandle.standardError.write(
                Data(
                    "fake-sllm: \(d.name): serving \(d.settings.serving.rawValue), api \(d.settings.api.rawValue)\n"
                        .utf8))
        }
        let shown = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        FileHandle.standardOutput.write(Data("fake-sllm: listening on http://\(shown):\(server.port)\n".utf8))
        var received: Int32 = 0
        var set = signals
        sigwait(&set, &received)
        FileHandle.standardError.write(Data("fake-sllm: shutting down\n".utf8))
        // Engines first: every stream in flight gets its last chunk (finish_reason "abort") and [DONE], every
        // pending answer its error; then the HTTP server flushes them and closes.
        registry.shutdownAll()
        server.stop()
    }
}

/// Blocks SIGINT and SIGTERM in this thread (and the threads it starts); returns the set for `sigwait`.
func blockTerminationSignals() -> sigset_t {
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigaddset(&set, SIGTERM)
    pthread_sigmask(SIG_BLOCK, &set, nil)
    return set
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
