import ArgumentParser
import FakeSLLM
import Foundation
import MoECore
import SimEngine

/// `fake-sllm fidelity`: replay the calibration targets V1 and V4 and the public validation suite in-process and
/// print simulated vs measured figures.
struct FidelityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fidelity",
        abstract:
            "Replay the published measurements (V1, V4 and the validation suite) and print the simulator's error.",
        discussion: """
            V1: Mixtral-8x7B on 2×H100 (TP2), max_num_seqs 128, max_num_batched_tokens 2048, ~571-token \
            shared-prefix prompts, 245 output tokens, constant 8 then 20 req/s. V4: Qwen3-30B-A3B on 1×H100, \
            2048 in / 1024 out, 100 prompts, concurrency 10. Rows marked "calibrated" are held to ±10 %.

            Then every GPU profile and where its constants come from: measured (the GPU probe ran on it), \
            published-calibrated (fitted to V1 and V4), published-kernels (A100s: the H100 fit with fused-MoE \
            constants fitted to vLLM's published A100 kernel times and Marlin's published A100 plateau) or datasheet-only (the H100 fit over its \
            datasheet peaks). \
            --step-check FILE adds the GPU probe's held-out table: whole decode steps timed on that GPU against \
            the simulator's prediction before (datasheet-scaled H100 fit) and after (the GPU's profile, or \
            --calibration). --calibration applies over the H100 fit for V1 and V4, and over the GPU's profile for \
            --step-check. See docs/calibration.md.

            Then every row of the validation suite (--suite DIR, default Fixtures/validation: JSON lines of real \
            vLLM runs) through the path users take (served rows: the engine behind vLLM's API server, at the row's \
            rate and concurrency; offline rows: one batch, no API server), the signed error of each figure, and \
            median and worst |error| per GPU, per source and per figure, fit rows and held-out rows apart. Exits \
            with status 1 when a held-out group (per GPU, per figure) misses median |error| ≤ 10 % or worst ≤ 25 %.

            --streams REGEX replays the served suite rows whose id matches REGEX once more with every stream chunk \
            and prints vllm bench serve's client-side figures (TTFT, TPOT and inter-token latency mean, median \
            and p99, duration, peak chunks per second) as the row states them beside the simulated ones. They are \
            not scored.
            """)

    @Option(help: "Seconds of each V1 stage (the measurement ran 600 s each).")
    var v1StageSeconds: Double = 600

    /// `--routing` (default zipf), `--seed` (default 0) and `--calibration`: over the H100 fit for V1/V4, over the
    /// GPU's profile for `--step-check`.
    @OptionGroup var engine: EngineOptions

    @Option(help: "Validation suite folder of *.jsonl rows (default: Fixtures/validation when it exists).")
    var suite: String?

    @Flag(help: "Skip the validation suite (V1/V4 and --step-check only).")
    var noSuite = false

    @Option(help: "A GPU probe step-check file (Fixtures/calibration/<gpu>.step-check.json) to compare against.")
    var stepCheck: String?

    @Flag(help: "Print the rows as JSON instead of a table ({\"fidelity\", \"step_check\"} with --step-check).")
    var json = false

    @Flag(help: "Exit with status 1 when a calibrated figure is off by more than 10 %.")
    var check = false

    @Option(
        help: ArgumentHelp(
            "Also print vllm bench's client-side figures (TTFT/TPOT/ITL mean, median, p99, duration, peak chunks "
                + "per second) of the served suite rows whose id matches this regular expression, measured "
                + "beside simulated.",
            valueName: "regex"))
    var streams: String?

    func validate() throws {
        guard v1StageSeconds >= 10, v1StageSeconds.isFinite else {
            throw ValidationError("--v1-stage-seconds must be at least 10")
        }
        if let streams {
            guard (try? NSRegularExpression(pattern: streams)) != nil else {
                throw ValidationError("--streams must be a regular expression, got '\(streams)'")
            }
            guard !noSuite else { throw ValidationError("--streams needs the validation suite (drop --no-suite)") }
        }
    }

    func run() throws {
        let rows: [FidelityRow]
        var held: (gpu: GPUSpec, rows: [StepTimeCheck.Row])?
        var report: FidelitySuiteReport?
        var streamRows: [(case: SuiteCase, simulated: StreamStatistics)]?
        do {
            if let path = stepCheck {
                let (key, steps) = try StepTimeCheck.parse(try SimulateFiles.readJSON(path, what: "step-check"))
                guard let gpu = HardwareCatalog.gpu(named: key) else {
                    throw SimulationInputError("step-check file '\(path)': unknown GPU '\(key)'")
                }
                var after = CalibrationCatalog.calibration(for: gpu)
                if let file = engine.calibration {
                    after = try Calibration(json: try SimulateFiles.readJSON(file, what: "calibration"), base: after)
                }
                held = (gpu, StepTimeCheck.compare(steps, gpu: gpu, before: Calibration(), after: after))
            }
            var cal = Calibration()
            var overrideJSON: JSONValue?
            if let path = engine.calibration {
                let file = try SimulateFiles.readJSON(path, what: "calibration")
                overrideJSON = file
                cal = try Calibration(json: file)
            }
            let route = engine.routing?.config ?? .calibrated
            rows = try FidelityReplay.run(
                v1StageSeconds: v1StageSeconds, calibration: cal, routing: route, seed: engine.seed ?? 0)
            let defaultSuite = "Fixtures/validation"
            let dir = suite ?? (FileManager.default.fileExists(atPath: defaultSuite) ? defaultSuite : nil)
            if !noSuite, let dir {
                report = try SuiteRunner.run(
                    directory: dir, calibration: overrideJSON, routing: route, seed: engine.seed ?? 0)
                if let streams {
                    streamRows = try SuiteRunner.streams(
                        directory: dir, matching: streams, calibration: overrideJSON, routing: route,
                        seed: engine.seed ?? 0)
                }
            }
        } catch {
            throw runFailure("fidelity: \(error)")
        }
        if json {
            if held != nil || report != nil || streamRows != nil {
                // One document: the replays, the step check and the suite side by side.
                var parts: [(String, JSONValue)] = [("fidelity", FidelityReplay.json(rows))]
                if let held { parts.append(("step_check", StepCheckReport.json(held.rows, gpu: held.gpu))) }
                if let report { parts.append(("suite", report.json())) }
                if let streamRows { parts.append(("streams", StreamReport.json(streamRows))) }
                print(JSONValue.object(JSONObject(parts)).serialized(indent: 2))
            } else {
                print(FidelityReplay.json(rows).serialized(indent: 2))
            }
        } else {
            print("V1 stages: \(v1StageSeconds) s each (measured: 600 s); routing \(engine.routing?.text ?? "zipf")")
            print(FidelityReplay.table(rows))
            let worst = rows.filter(\.calibrated).map { abs($0.errorPercent) }.max() ?? 0
            print("largest calibrated error: \(Int(worst.rounded())) % (target ±10 %)")
            print("")
            print(StepCheckReport.profiles())
            if let held {
                print("")
                print(StepCheckReport.table(held.rows, gpu: held.gpu))
            }
            if let report {
                print("")
                print(
                    "Validation suite: \(Set(report.rows.map { $0.id }).count) rows replayed"
                        + (report.excluded.isEmpty ? "" : ", \(report.excluded.count) excluded (listed below)"))
                print(report.table())
            }
            if let streamRows {
                print("")
                print(StreamReport.table(streamRows))
            }
        }
        if check, rows.contains(where: { $0.calibrated && abs($0.errorPercent) > 10 }) { throw ExitCode.failure }
        // A row that cannot be replayed fails the run too: the report would be silently smaller.
        if let report, !report.heldOutMisses.isEmpty || !report.failures.isEmpty { throw ExitCode.failure }
    }
}
