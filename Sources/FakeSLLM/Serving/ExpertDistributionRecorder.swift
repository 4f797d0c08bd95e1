import MoECore
import SimEngine

/// The expert-distribution recording state of one instance, as the `vllm_moecap` worker's recorder keeps it
/// (docs/sllm-api.md §3.10): a mode, an on/off flag and one entry per forward pass while on.
///
/// Each recorded pass comes from the simulated routing of that step: the mean over MoE layers of the experts
/// that received at least one token (the step's `expert_activation`), the tokens routed (padded tokens × top-k
/// per layer) and, in the `stat` modes, every layer's tokens per expert (the router's expected counts). The
/// simulator does not draw individual tokens' experts, so `per_token` records carry token counts, not ids.
/// Thread-safe: the host thread appends, HTTP threads control and read.
package final class ExpertDistributionRecorder: Sendable {
    /// The recorder's modes.
    package static let modes = ["per_token", "per_pass", "stat", "stat_approx"]

    private struct Pass {
        var forwardPassID: Int
        var activation: Double
        var tokens: Int
        var forwardMode: ForwardMode
        var counts: [[Int]]?
    }
    private struct State {
        var mode = "per_pass"
        var recording = false
        var bufferSize = -1
        var passes: [Pass] = []
    }
    private let state = Locked(State())
    /// Tensor-parallel workers (one dump entry each).
    let workers: Int
    let layers: Int
    let experts: Int
    let topK: Int

    init(workers: Int, layers: Int, experts: Int, topK: Int) {
        self.workers = workers
        self.layers = layers
        self.experts = experts
        self.topK = topK
    }

    var isRecording: Bool { state.withLock { $0.recording } }
    package var mode: String { state.withLock { $0.mode } }
    /// Whether the host must compute per-expert counts for the next passes (stat modes, while recording).
    var wantsCounts: Bool { state.withLock { $0.recording && $0.mode.hasPrefix("stat") } }

    /// `configure`: sets the mode and the stat modes' buffer size (−1: unbounded); drops what was recorded.
    func configure(mode: String, bufferSize: Int) {
        state.withLock {
            $0.mode = mode
            $0.bufferSize = bufferSize
            $0.passes.removeAll()
        }
    }

    /// `start`: recording on, in `mode` when given.
    func start(mode: String?) {
        state.withLock { s in
            if let mode, mode != s.mode {
                s.mode = mode
                s.passes.removeAll()
            }
            s.recording = true
        }
    }

    func stop() { state.withLock { $0.recording = false } }

    /// Drops the recorded passes; returns how many there were.
    func clear() -> Int {
        state.withLock { s in
            defer { s.passes.removeAll() }
            return s.passes.count
        }
    }

    /// Records a step (host thread), if recording. `counts` are the per-layer expert counts (stat modes only).
    func append(_ step: StepOutcome, counts: [[Int]]?) {
        guard layers > 0 else { return }
        state.withLock { s in
            guard s.recording else { return }
            s.passes.append(
                Pass(
                    forwardPassID: step.forwardPassID, activation: step.expertActivation,
                    tokens: step.batchSize * topK * layers, forwardMode: step.forwardMode, counts: counts))
            if s.mode.hasPrefix("stat"), s.bufferSize > 0, s.passes.count > s.bufferSize { s.passes.removeFirst() }
        }
    }

    /// The `worker_data` of a dump: one entry per worker in the recorder's format for the current mode.
    func dump() -> [JSONValue] {
        let (mode, passes) = state.withLock { ($0.mode, $0.passes) }
        return (0..<workers).map { rank in .object(entry(rank: rank, mode: mode, passes: passes)) }
    }

    private func entry(rank: Int, mode: String, passes: [Pass]) -> JSONObject {
        var out = JSONObject()
        switch mode {
        case "per_pass":
            // Each pass's figures are rounded as the worker stores them, then averaged and rounded again.
            let n = Double(max(passes.count, 1))
            let activated = passes.reduce(0.0) { $0 + round3($1.activation) } / n
            let utilization = passes.reduce(0.0) { $0 + round4($1.activation / Double(experts)) } / n
            out["rank"] = .int(rank)
            out["num_layers"] = .int(layers)
            out["num_experts"] = .int(experts)
            out["num_physical_experts"] = .int(experts)
            out["total_forward_passes"] = .int(passes.count)
            out["avg_activated_per_layer"] = .double(passes.isEmpty ? 0 : round3(activated))
            out["avg_expert_utilization"] = .double(passes.isEmpty ? 0 : round4(utilization))
            out["total_tokens_processed"] = .int(passes.reduce(0) { $0 + $1.tokens })
        case "per_token":
            out["records"] = .array(
                passes.map { p in
                    [
                        "forward_pass_id": .int(p.forwardPassID), "rank": .int(rank),
                        "num_tokens": .int(p.tokens / max(topK * layers, 1)),
                        "forward_mode": .string(p.forwardMode.rawValue),
                    ]
                })
            out["rank"] = .int(rank)
            out["num_layers"] = .int(layers)
            out["num_physical_experts"] = .int(experts)
        default:  // stat, stat_approx: counts summed over the tensor-parallel ranks (all-reduce)
            out["aggregated_expert_counts"] = .array(
                passes.map { p in
                    .array((p.counts ?? []).map { row in .array(row.map { .int($0 * workers) }) })
                })
            out["forward_pass_ids"] = .array(passes.map { .int($0.forwardPassID) })
            out["rank"] = .int(rank)
            out["num_layers"] = .int(layers)
            out["num_physical_experts"] = .int(experts)
        }
        out["recording_mode"] = .string(mode)
        return out
    }
}

/// Python's `round(x, 3)` and `round(x, 4)` (halves to even).
private func round3(_ x: Double) -> Double { (x * 1000).rounded(.toNearestOrEven) / 1000 }
private func round4(_ x: Double) -> Double { (x * 10000).rounded(.toNearestOrEven) / 10000 }
