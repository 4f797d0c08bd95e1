import Testing

@testable import MoECore

/// Batch-record wire format (docs/sllm-api.md §4; docs/moecap-metrics.md §1).
@Suite struct BatchRecordTests {
    static let sllmLine =
        #"{"batch_size": 16, "latency": 0.02731, "seq_lens_sum": 16, "forward_mode": "decode", "#
        + #""expert_activation": 63.2, "forward_pass_id": 1843, "gpu_num": 4, "#
        + #""gpu_raw_type": "NVIDIA-H100-HBM3-80GB"}"#

    @Test func readsAndWritesTheBackendRecordByteForByte() throws {
        let r = try BatchRecord(json: JSONValue.parse(Self.sllmLine))
        #expect(r.batchSize == 16)
        #expect(r.latency == 0.02731)
        #expect(r.seqLensSum == 16)
        #expect(r.forwardMode == "decode")
        #expect(r.expertActivation == 63.2)
        #expect(r.forwardPassID == 1843)
        #expect(r.gpuNum == 4)
        #expect(r.gpuRawType == "NVIDIA-H100-HBM3-80GB")
        #expect(r.perReqInfo == nil && r.scheduledTokens == nil && r.extra.isEmpty)
        #expect(r.json.serialized() == Self.sllmLine)
    }

    @Test func writesCoreKeysInBackendOrderWhateverTheInputOrder() throws {
        let text = #"""
            {"gpu_raw_type": "X", "req_ids": ["a"], "forward_mode": "prefill", "scheduled_tokens": 7, "latency": 1,
             "gpu_num": 1, "seq_lens_sum": 7, "batch_size": 7}
            """#
        let r = try BatchRecord(json: JSONValue.parse(text))
        #expect(
            r.json.objectValue?.keys == [
                "batch_size", "latency", "seq_lens_sum", "forward_mode", "gpu_num", "gpu_raw_type", "scheduled_tokens",
                "req_ids",
            ])
        #expect(r.latency == 1.0)
        #expect(r.expertActivation == nil)
        #expect(r.extra["req_ids"] == .array(["a"]))
        #expect(try BatchRecord(json: r.json) == r)
    }

    @Test func oldFiveKeyRecordsAndNullsAreAccepted() throws {
        // b94b521 records had five keys with expert_activation 0; null optionals read as absent.
        let r = try BatchRecord(
            json: JSONValue.parse(
                #"""
                {"batch_size": 3.0, "latency": 0.5, "seq_lens_sum": 3, "forward_mode": "prefill", "expert_activation": 0,
                 "gpu_num": null}
                """#))
        #expect(r.batchSize == 3)
        #expect(r.expertActivation == 0)
        #expect(r.gpuNum == nil)
        #expect(
            r.json.objectValue?.keys == [
                "batch_size", "latency", "seq_lens_sum", "forward_mode", "expert_activation",
            ])
    }

    @Test func perRequestInfoRoundTrips() throws {
        let text = #"""
            {"batch_size": 2, "latency": 0.1, "seq_lens_sum": 300, "forward_mode": "prefill", "expert_activation": 12.5,
             "per_req_info": [{"req_id": "5_0", "req_pool_idx": 5, "extend_len": 200, "total_len": 200,
                               "prompt_len": 200, "is_last_chunk": true, "orig_len": 200},
                              {"req_id": 9, "extend_len": 100, "is_last_chunk": 0}]}
            """#
        let r = try BatchRecord(json: JSONValue.parse(text))
        let info = try #require(r.perReqInfo)
        #expect(info.count == 2)
        #expect(
            info[0]
                == PerRequestChunk(
                    reqId: "5_0", reqPoolIdx: 5, extendLen: 200, totalLen: 200, promptLen: 200, isLastChunk: true,
                    extra: ["orig_len": 200]))
        #expect(info[1].reqId == "9")
        #expect(info[1].isLastChunk == false)
        #expect(
            info[0].json.objectValue?.keys == [
                "req_id", "req_pool_idx", "extend_len", "total_len", "prompt_len", "is_last_chunk", "orig_len",
            ])
        #expect(try BatchRecord(json: r.json) == r)
    }

    @Test(arguments: [
        (#"{"latency": 1, "seq_lens_sum": 1, "forward_mode": "decode"}"#, "batch_size", "is missing"),
        (#"{"batch_size": 1.5, "latency": 1, "seq_lens_sum": 1, "forward_mode": "decode"}"#, "batch_size", "integer"),
        (#"{"batch_size": 1, "latency": "fast", "seq_lens_sum": 1, "forward_mode": "decode"}"#, "latency", "number"),
        (#"{"batch_size": 1, "latency": 1, "seq_lens_sum": 1, "forward_mode": 2}"#, "forward_mode", "string"),
        (
            #"{"batch_size": 1, "latency": 1, "seq_lens_sum": 1, "forward_mode": "d", "gpu_num": "N/A"}"#, "gpu_num",
            "integer"
        ),
        (
            #"{"batch_size": 1, "latency": 1, "seq_lens_sum": 1, "forward_mode": "d", "expert_activation": true}"#,
            "expert_activation", "number"
        ),
        (
            #"{"batch_size": 1, "latency": 1, "seq_lens_sum": 1, "forward_mode": "d", "per_req_info": {}}"#,
            "per_req_info", "list"
        ),
        (
            #"{"batch_size": 1, "latency": 1, "seq_lens_sum": 1, "forward_mode": "d", "#
                + #""per_req_info": [{"extend_len": "x"}]}"#,
            "per_req_info[0].extend_len", "integer"
        ),
    ])
    func badFieldsAreNamed(text: String, field: String, problem: String) throws {
        do {
            _ = try BatchRecord(json: JSONValue.parse(text))
            Issue.record("no error for \(text)")
        } catch let error as BatchRecordError {
            #expect(error.field == field)
            #expect(error.problem.contains(problem), "\(error)")
            #expect(error.description.contains("'\(field)'"))
        }
    }

    @Test func listErrorsCarryTheIndex() throws {
        let good = try JSONValue.parse(Self.sllmLine)
        let list = JSONValue.array([good, good, ["batch_size": 1]])
        do {
            _ = try BatchRecord.list(from: list)
            Issue.record("no error")
        } catch {
            #expect(error.index == 2)
            #expect(error.description.hasPrefix("batch record #2"))
        }
        #expect(try BatchRecord.list(from: .array([good, good])).count == 2)
        #expect(throws: BatchRecordError.self) { try BatchRecord.list(from: .object([:])) }
        #expect(throws: BatchRecordError.self) { try BatchRecord(json: .array([])) }
    }

    @Test func deduplicationKeepsFirstCopyPerPassAndAllRecordsWithoutId() {
        func rec(_ id: Int?, _ latency: Double, _ mode: String = "decode") -> BatchRecord {
            BatchRecord(batchSize: 1, latency: latency, seqLensSum: 1, forwardMode: mode, forwardPassID: id)
        }
        let input = [
            rec(1, 0.10), rec(1, 0.11), rec(nil, 0.5), rec(2, 0.20), rec(nil, 0.5), rec(1, 0.12), rec(2, 0.21),
            rec(3, 0.3, "prefill"), rec(3, 0.3, "decode"), rec(3, 0.31, "prefill"),
        ]
        let out = BatchRecord.deduplicated(input)
        #expect(out.map(\.latency) == [0.10, 0.5, 0.20, 0.5, 0.3, 0.3])
        #expect(out.map(\.forwardPassID) == [1, nil, 2, nil, 3, 3])
        #expect(BatchRecord.deduplicated(out) == out)
    }

    @Test func prefillIsExactAndCaseSensitive() {
        for (mode, prefill) in [("prefill", true), ("Prefill", false), ("decode", false), ("mixed", false)] {
            let r = BatchRecord(batchSize: 1, latency: 1, seqLensSum: 1, forwardMode: mode)
            #expect(r.isPrefill == prefill)
        }
    }
}
