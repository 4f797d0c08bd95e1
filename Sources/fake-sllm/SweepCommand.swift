import ArgumentParser
import FakeSLLM
import Foundation
import MoECore
import SimEngine
import Sweep

/// `fake-sllm sweep`: a what-if grid run in parallel in-process, written as CSV, JSON and an HTML chart.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a grid of deployments × workloads in-process, in parallel, and write CSV, JSON and a chart.",
        discussion: """
            Every combination of --model × --gpu × --tp × --max-num-seqs × --max-num-batched-tokens × \
            --quantization × --kv-cache-dtype × --enforce-eager × workloads (--workload, --trace; default: GSM8K-sized) is one run of the simulated \
            engine on its virtual clock (the engine alone, as --serving direct: no router). Lists are \
            comma-separated. Per point: MoE-CAP's metrics over the run's batch records (S-MBU, S-MFU, KV size, \
            TTFT, TPOT, throughputs), client latencies and throughputs in simulated time, cost per million output \
            tokens where MoE-CAP has a price for the GPU, and the GPU's calibration source. Writes sweep.csv, \
            sweep.json and sweep.html (the cost–performance trade-off) to --out.

            --workload NAME,key=value,...: requests=N, prompt=DIST, output=DIST (N, uniform:MIN:MAX, \
            normal:MEAN:STD, exponential:MEAN, lognormal:MEAN:SIGMA), rate=R (requests/s; 0 = all at once), \
            arrival=poisson|constant|all-at-once, concurrency=C, max_tokens=M, ignore_eos=true|false, \
            shared_prefix_tokens=N, prefix_groups=G, distinct_prompts=D (the keys of simulate's workload flags). \
            Keys not given keep the GSM8K-sized defaults. Example: \
            --workload chat,requests=500,prompt=normal:800:200,output=normal:300:100,rate=20
            """)

    @Option(help: "Models (comma-separated HF ids of the built-in catalog). (default: Qwen/Qwen3-30B-A3B)")
    var model: String?
    @Option(name: .customLong("models"), help: .hidden)
    var oldModelSpelling: String?
    /// `--gpu`: comma-separated GPUs (old spelling `--gpu-types`).
    @OptionGroup var gpu: GPUOption
    @Option(help: "GPUs per deployment = tensor-parallel sizes.")
    var tp = "1"
    @Option(help: "backend_config.max_num_seqs values.")
    var maxNumSeqs = "256"
    @Option(help: "backend_config.max_num_batched_tokens values.")
    var maxNumBatchedTokens = "8192"
    @Option(help: "backend_config.quantization values (none = the checkpoint's weights; fp8, awq, …).")
    var quantization = "none"
    @Option(help: "backend_config.kv_cache_dtype values (auto, fp8).")
    var kvCacheDtype = "auto"
    @Option(help: "backend_config.enforce_eager values (off = CUDA graphs, on = eager).")
    var enforceEager = "off"
    @Option(help: "A synthetic workload (repeatable): NAME,key=value,… (see above).")
    var workload: [String] = []
    @Option(help: "A JSONL trace of {\"arrival_s\", \"prompt_tokens\", \"output_tokens\"} lines (repeatable).")
    var trace: [String] = []
    /// `--routing`, `--seed`, `--calibration` (applied over the GPU profile it names in "_gpu", every GPU when it
    /// names none).
    @OptionGroup var engine: EngineOptions
    @Option(help: "Worker threads (default: all cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Output folder (created if missing).")
    var out = "sweep_results"
    @Flag(help: "No progress on stderr.")
    var quiet = false

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        do { _ = try makeGrid(readingFiles: false) } catch let e as ValidationError { throw e } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() throws {
        let grid: SweepGrid
        do { grid = try makeGrid(readingFiles: true) } catch { throw runFailure("sweep: \(error)") }
        let points = grid.points.count
        let start = ContinuousClock.now
        let quiet = self.quiet
        let rows = SweepRunner.run(grid, jobs: jobs) { done, total in
            if !quiet, done == total || done % max(1, total / 10) == 0 {
                FileHandle.standardError.write(Data("fake-sllm sweep: \(done)/\(total) points\n".utf8))
            }
        }
        let wall = ContinuousClock.now - start
        let seconds = wall.inSeconds
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let base = (out as NSString)
            try SimulateFiles.write(SweepOutput.csv(rows), to: base.appendingPathComponent("sweep.csv"))
            let description = JSONObject([
                ("points_total", .int(points)), ("points_ok", .int(rows.filter(\.ok).count)),
                ("wall_seconds", .double(seconds)), ("points_per_second", .double(Double(points) / max(seconds, 1e-9))),
                ("jobs", .int(jobs)), ("seed", .int(Int(engine.seed ?? 0))),
                ("workloads", .array(grid.workloads.map { .string($0.name) })),
                ("amortization_years", .double(ServingCost.amortizationYears)),
            ])
            try SimulateFiles.write(
                SweepOutput.json(rows, description: description).serialized(indent: 1) + "\n",
                to: base.appendingPathComponent("sweep.json"))
            try SimulateFiles.write(
                SweepChart.html(rows, title: "fake-sllm sweep: \(points) points"),
                to: base.appendingPathComponent("sweep.html"))
        } catch {
            throw runFailure("sweep: \(error)")
        }
        let failed = rows.filter { !$0.ok }
        print(
            "sweep: \(points) points (\(points - failed.count) ran, \(failed.count) could not) in "
                + String(format: "%.2f s on %d threads: %.1f points/s", seconds, jobs, Double(points) / seconds))
        for row in failed.prefix(5) {
            print("  point \(row.point.index): \(row["error"]?.stringValue ?? "")")
        }
        print("wrote \(out)/sweep.csv, sweep.json, sweep.html")
    }

    /// The grid the flags describe; `validate()` checks it without reading the trace and calibration files, which
    /// `run()` reads (a file that cannot be read is a run-time failure).
    private func makeGrid(readingFiles: Bool) throws -> SweepGrid {
        func list(_ s: String) -> [String] {
            s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        func ints(_ s: String, _ flag: String) throws -> [Int] {
            try list(s).map {
                guard let v = Int($0), v >= 1 else { throw ValidationError("\(flag): '\($0)' is not an integer ≥ 1") }
                return v
            }
        }
        var workloads = try workload.map { try WorkloadSpec(parsing: $0) }
        for path in trace where readingFiles {
            workloads.append(
                WorkloadSpec(
                    name: (path as NSString).lastPathComponent, trace: try SimulateFiles.readText(path, what: "trace")))
        }
        var grid = SweepGrid(
            models: list(model ?? oldModelSpelling ?? "Qwen/Qwen3-30B-A3B"), gpuTypes: list(gpu.value ?? "H100"),
            gpuCounts: try ints(tp, "--tp"),
            maxNumSeqs: try ints(maxNumSeqs, "--max-num-seqs"),
            maxNumBatchedTokens: try ints(maxNumBatchedTokens, "--max-num-batched-tokens"),
            quantizations: list(quantization).map { $0 == "none" ? nil : $0 },
            workloads: workloads.isEmpty ? [.gsm8k] : workloads)
        grid.kvCacheDtypes = list(kvCacheDtype)
        grid.enforceEager = try list(enforceEager).map {
            switch $0 {
            case "off", "false": return false
            case "on", "true": return true
            default: throw ValidationError("--enforce-eager values are off or on, got '\($0)'")
            }
        }
        guard grid.points.count > 0 else { throw ValidationError("the grid is empty") }
        grid.seed = engine.seed ?? 0
        grid.routing = engine.routing?.config ?? grid.routing
        if readingFiles { grid.calibration = try engine.calibrationOverride() }
        return grid
    }
}
