import MoECore
import SimEngine
import Synchronization

/// One engine step as recorded: what goes into a batch record plus the simulator's ground truth.
public struct RecordedStep: Sendable {
    /// Tokens in the step after CUDA-graph padding: the record's `batch_size` and also its `seq_lens_sum`
    /// (both are vLLM's `num_input_tokens`, sllm_api.md §4).
    public var batchSize: Int
    public var forwardMode: ForwardMode
    public var latency: Double
    public var expertActivation: Double
    public var forwardPassId: Int
    /// Requests in the step (not in the record, whose `batch_size` counts padded tokens).
    public var numRequests: Int
    public var truth: StepGroundTruth
}

/// The batch-recording state of one instance (sllm_api.md §3.9): a flag and a list of records.
///
/// Start clears, stop keeps, dump does not consume, clear keeps the flag. Thread-safe: the engine thread
/// appends, HTTP threads control and read.
public final class BatchRecorder: Sendable {
    private struct State {
        var recording = false
        var steps: [RecordedStep] = []
    }
    private let state = Mutex(State())
    /// `gpu_num` of every record (vLLM's world size).
    public let gpuNum: Int
    /// `gpu_raw_type` of every record.
    public let gpuRawType: String
    /// Write each step once per rank (the real branch's TP duplication, a quirk).
    let duplicatePerRank: Bool

    public init(gpuNum: Int, gpuRawType: String, duplicatePerRank: Bool) {
        self.gpuNum = gpuNum
        self.gpuRawType = gpuRawType
        self.duplicatePerRank = duplicatePerRank
    }

    var isRecording: Bool { state.withLock { $0.recording } }

    /// Records as the dump counts them (× ranks when duplicating).
    var totalRecords: Int { state.withLock { $0.steps.count } * copies }

    private var copies: Int { duplicatePerRank ? gpuNum : 1 }

    /// Starts recording; existing records are deleted (start implies clear, §3.9).
    public func start() {
        state.withLock {
            $0.recording = true
            $0.steps.removeAll()
        }
    }

    /// Stops recording; returns the record count.
    public func stop() -> Int {
        state.withLock { $0.recording = false }
        return totalRecords
    }

    /// Deletes the records, keeps the flag; returns how many were deleted.
    public func clear() -> Int {
        let n = totalRecords
        state.withLock { $0.steps.removeAll() }
        return n
    }

    /// Appends a step if recording (engine thread).
    func append(_ step: RecordedStep) {
        state.withLock { s in if s.recording { s.steps.append(step) } }
    }

    /// The recorded steps (no rank copies).
    public var steps: [RecordedStep] { state.withLock { $0.steps } }

    /// The records in the real backend's format: the eight keys in order (sllm_api.md §4). With
    /// ``duplicatePerRank`` each step appears `gpu_num` times in a row, with rank-specific latencies a few
    /// microseconds apart, as the TP workers' own timers would give.
    public func records() -> [JSONValue] {
        let steps = self.steps
        var out: [JSONValue] = []
        out.reserveCapacity(steps.count * copies)
        for s in steps {
            for rank in 0..<copies {
                out.append(record(s, latency: s.latency + Double(rank) * 3e-6))
            }
        }
        return out
    }

    private func record(_ s: RecordedStep, latency: Double) -> JSONValue {
        BatchRecord(
            batchSize: s.batchSize, latency: latency, seqLensSum: s.batchSize, forwardMode: s.forwardMode.rawValue,
            expertActivation: s.expertActivation, forwardPassId: s.forwardPassId, gpuNum: gpuNum,
            gpuRawType: gpuRawType
        ).json
    }
}

extension RecordedStep {
    /// The record of an engine step and its ground truth.
    init(_ o: StepOutcome) {
        self.init(
            batchSize: o.batchSize, forwardMode: o.forwardMode, latency: o.latency,
            expertActivation: o.expertActivation, forwardPassId: o.forwardPassID, numRequests: o.numRequests,
            truth: o.truth)
    }
}
