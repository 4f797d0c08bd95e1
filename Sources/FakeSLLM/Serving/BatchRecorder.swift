import Logging
import MoECore
import SimEngine
import Synchronization

/// One engine step as recorded: what goes into a batch record plus the simulator's ground truth.
package struct RecordedStep: Sendable {
    /// Tokens in the step after CUDA-graph padding: the record's `batch_size` and also its `seq_lens_sum`
    /// (both are vLLM's `num_input_tokens`, docs/sllm-api.md §4).
    package var batchSize: Int
    package var forwardMode: ForwardMode
    package var latency: Double
    package var expertActivation: Double
    package var forwardPassID: Int
    /// Requests in the step (not in the record, whose `batch_size` counts padded tokens).
    package var numRequests: Int
    package var truth: StepGroundTruth
}

/// The batch-recording state of one instance (docs/sllm-api.md §3.9): a flag and a list of records.
///
/// Start clears, stop keeps, dump does not consume, clear keeps the flag. Thread-safe: the engine thread
/// appends, HTTP threads control and read.
///
/// Memory is bounded (docs/http.md, "Limits"): an instance keeps at most ``maxRecords`` steps (about 200 bytes
/// each). Past it the recorder keeps the first steps, drops the rest, counts them in ``droppedSteps`` and logs
/// one error; the status and dump routes report the count, so a truncated recording is never taken for a whole one.
package final class BatchRecorder: Sendable {
    private struct State {
        var recording = false
        var steps: [RecordedStep] = []
        var dropped = 0
        var limit = BatchRecorder.maxRecords
    }

    /// Default of ``maxRecords``.
    package static let defaultMaxRecords = 1_000_000
    private static let limit = Atomic<Int>(defaultMaxRecords)
    /// Most steps one instance keeps (`--max-records`); process-wide, set once at start-up before any
    /// deployment (tests that change it restore it).
    package static var maxRecords: Int {
        get { limit.load(ordering: .relaxed) }
        set { limit.store(max(1, newValue), ordering: .relaxed) }
    }
    private let state = Locked(State())
    /// `gpu_num` of every record (vLLM's world size).
    package let gpuNum: Int
    /// `gpu_raw_type` of every record.
    package let gpuRawType: String
    /// Write each step once per rank (the real branch's TP duplication, a quirk).
    let duplicatePerRank: Bool

    package init(gpuNum: Int, gpuRawType: String, duplicatePerRank: Bool) {
        self.gpuNum = gpuNum
        self.gpuRawType = gpuRawType
        self.duplicatePerRank = duplicatePerRank
    }

    var isRecording: Bool { state.withLock { $0.recording } }

    /// Records as the dump counts them (× ranks when duplicating).
    var totalRecords: Int { state.withLock { $0.steps.count } * copies }

    private var copies: Int { duplicatePerRank ? gpuNum : 1 }

    /// Starts recording; existing records are deleted (start implies clear, §3.9).
    package func start() {
        state.withLock {
            $0.recording = true
            $0.steps.removeAll()
            $0.dropped = 0
        }
    }

    /// Steps not kept since the last start or clear because the recording was full.
    package var droppedSteps: Int { state.withLock { $0.dropped } }

    /// Stops recording; returns the record count.
    package func stop() -> Int {
        state.withLock { $0.recording = false }
        return totalRecords
    }

    /// Deletes the records, keeps the flag; returns how many were deleted.
    package func clear() -> Int {
        let n = totalRecords
        state.withLock {
            $0.steps.removeAll()
            $0.dropped = 0
        }
        return n
    }

    /// Appends a step if recording (engine thread).
    /// This recorder's step limit (taken from ``maxRecords`` when it was created).
    var limit: Int {
        get { state.withLock { $0.limit } }
        set { state.withLock { $0.limit = max(1, newValue) } }
    }

    func append(_ step: RecordedStep) {
        let (firstDrop, limit) = state.withLock { s -> (Bool, Int) in
            guard s.recording else { return (false, s.limit) }
            guard s.steps.count < s.limit else {
                s.dropped += 1
                return (s.dropped == 1, s.limit)
            }
            s.steps.append(step)
            return (false, s.limit)
        }
        if firstDrop {
            serverLog.error("batch recording is full (\(limit) steps, --max-records): later steps are not recorded")
        }
    }

    /// The records of the steps in `range` (rank copies included), for a dump written piece by piece.
    package func records(steps range: Range<Int>, of snapshot: [RecordedStep]) -> [JSONValue] {
        var out: [JSONValue] = []
        out.reserveCapacity(range.count * copies)
        for s in snapshot[range] {
            for rank in 0..<copies { out.append(record(s, latency: s.latency + Double(rank) * 3e-6)) }
        }
        return out
    }

    /// Records each recorded step becomes (× ranks when duplicating).
    package var copiesPerStep: Int { copies }

    /// The recorded steps (no rank copies).
    package var steps: [RecordedStep] { state.withLock { $0.steps } }

    /// The records in the real backend's format: the eight keys in order (docs/sllm-api.md §4). With
    /// ``duplicatePerRank`` each step appears `gpu_num` times in a row, with rank-specific latencies a few
    /// microseconds apart, as the TP workers' own timers would give.
    package func records() -> [JSONValue] {
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
            expertActivation: s.expertActivation, forwardPassID: s.forwardPassID, gpuNum: gpuNum,
            gpuRawType: gpuRawType
        ).json
    }
}

extension RecordedStep {
    /// The record of an engine step and its ground truth.
    init(_ o: StepOutcome) {
        self.init(
            batchSize: o.batchSize, forwardMode: o.forwardMode, latency: o.latency,
            expertActivation: o.expertActivation, forwardPassID: o.forwardPassID, numRequests: o.numRequests,
            truth: o.truth)
    }
}
