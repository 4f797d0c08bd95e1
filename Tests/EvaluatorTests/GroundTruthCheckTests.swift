import MoECore
import Testing

@testable import Evaluator

/// `ground_truth_check` in `metrics.json`: per-phase means of every numeric ground-truth field, fields in the order
/// they first appear over all matched steps, a phase listing only the fields it saw.
@Suite struct GroundTruthCheckTests {
    func record(_ id: Int, _ mode: String) -> BatchRecord {
        BatchRecord(batchSize: 1, latency: 0.01, seqLensSum: 10, forwardMode: mode, forwardPassID: id)
    }

    @Test func meansPerPhaseInFirstSeenFieldOrder() {
        let truth: [JSONValue] = [
            ["forward_pass_id": 1, "a": 1, "b": 2.5],
            ["forward_pass_id": 2, "b": 4, "c": "not a number", "a": 3],
            ["forward_pass_id": 3, "a": 5, "d": 1],
            ["forward_pass_id": 4, "e": 9],  // no record: not matched
        ]
        let check = GroundTruthCheck.json(
            truth: truth, records: [record(1, "prefill"), record(2, "decode"), record(3, "extend")], advanced: nil)
        #expect(
            check.serialized()
                == #"{"prefill_mean": {"a": 1.0, "b": 2.5}, "decode_mean": {"a": 4.0, "b": 4.0, "d": 1.0}, "steps_matched": 3}"#
        )
    }
}
