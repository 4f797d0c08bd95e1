import Testing

@testable import MoECore

/// `_calculate_continuous_metrics` port (docs/moecap-metrics.md §3–4, golden vectors §14a).
@Suite struct ContinuousMetricsTests {
    static let h100 = "NVIDIA-H100-HBM3-80GB"

    /// `|actual - expected| <= rel · |expected|` (1e-9 relative by default: the §14a vectors are printed to 10
    /// significant digits and the port reproduces them to within 1e-9).
    static func close(_ actual: Double, _ expected: Double, rel: Double = 1e-9) -> Bool {
        abs(actual - expected) <= rel * abs(expected)
    }

    static func spec(_ id: String) throws -> ModelSpec { try #require(ModelCatalog.spec(for: id)) }

    static func prefill(
        latency: Double, seq: Int, activation: Double?, batch: Int = 1, info: [PerRequestChunk]? = nil,
        mode: String = "prefill"
    ) -> BatchRecord {
        BatchRecord(
            batchSize: batch, latency: latency, seqLensSum: seq, forwardMode: mode, expertActivation: activation,
            gpuNum: 1, gpuRawType: h100, perReqInfo: info)
    }

    static func decode(latency: Double, seq: Int, batch: Int, activation: Double?, mode: String = "decode")
        -> BatchRecord
    {
        BatchRecord(
            batchSize: batch, latency: latency, seqLensSum: seq, forwardMode: mode, expertActivation: activation,
            gpuNum: 1, gpuRawType: h100)
    }

    static func run(
        _ records: [BatchRecord], _ id: String, gpu: String = h100, dtype: String = "bfloat16",
        precision: Double = 2.0, gpus: Int = 1
    ) throws -> ContinuousMetrics {
        try ContinuousMetrics.compute(
            records: records, model: spec(id), gpuRawType: gpu, usedDtype: dtype, precision: precision,
            numGPUs: gpus)
    }

    // MARK: golden vectors (§14a)

    struct Golden: Sendable, CustomTestStringConvertible {
        let id: String
        let ap, ad: Double
        let prefillSMBU, prefillSMFU, decodingSMBU, decodingSMFU, kvSize: Double
        var testDescription: String { id }
    }

    static let golden: [Golden] = [
        Golden(
            id: "Qwen/Qwen3-30B-A3B", ap: 120, ad: 60, prefillSMBU: 0.0675383106, prefillSMFU: 0.0874890698,
            decodingSMBU: 0.6439821679, decodingSMFU: 0.1867789909, kvSize: 3637.297152),
        Golden(
            id: "Qwen/Qwen3-235B-A22B", ap: 125, ad: 70, prefillSMBU: 0.5465345571, prefillSMFU: 0.4733565602,
            decodingSMBU: 4.3210956189, decodingSMFU: 0.7446201512, kvSize: 7123.040256),
        Golden(
            id: "Qwen/Qwen1.5-MoE-A2.7B-Chat", ap: 60, ad: 40, prefillSMBU: 0.0336320579,
            prefillSMFU: 0.0593094508, decodingSMBU: 0.7072723372, decodingSMFU: 0.0504384661,
            kvSize: 7274.594304),
        Golden(
            id: "mistralai/Mixtral-8x7B-Instruct-v0.1", ap: 8, ad: 7.5, prefillSMBU: 0.1115259173,
            prefillSMFU: 0.2596187280, decodingSMBU: 1.5838192716, decodingSMFU: 0.1446485954,
            kvSize: 4849.729536),
        Golden(
            id: "deepseek-ai/DeepSeek-V2-Lite-Chat", ap: 64, ad: 50, prefillSMBU: 0.0366465134,
            prefillSMFU: 0.0538954288, decodingSMBU: 0.4290786197, decodingSMFU: 0.0679782442,
            kvSize: 1150.863552),
    ]

    @Test(arguments: golden)
    func goldenVector(g: Golden) throws {
        let records = [
            Self.prefill(latency: 0.25, seq: 4000, activation: g.ap),
            Self.decode(latency: 0.02, seq: 144_000, batch: 32, activation: g.ad),
        ]
        let m = try Self.run(records, g.id)
        #expect(Self.close(m.prefillSMBU, g.prefillSMBU), "prefill_smbu \(m.prefillSMBU)")
        #expect(Self.close(m.prefillSMFU, g.prefillSMFU), "prefill_smfu \(m.prefillSMFU)")
        #expect(Self.close(m.decodingSMBU, g.decodingSMBU), "decoding_smbu \(m.decodingSMBU)")
        #expect(Self.close(m.decodingSMFU, g.decodingSMFU), "decoding_smfu \(m.decodingSMFU)")
        #expect(Self.close(m.kvSize, g.kvSize), "kv_size \(m.kvSize)")
        #expect(Self.close(m.decodingThroughput, 1600))
        #expect(Self.close(m.prefillTP, 16000))
        #expect(Self.close(m.ttft, 0.25))
        #expect(Self.close(m.tpot, 0.02))
        #expect(m.gpuRawType == Self.h100)
        #expect(m.prefillCount == 1 && m.decodeCount == 1 && m.kvCount == 2)
    }

    @Test func goldenHandCheckQwen3Decode() throws {
        // §14a hand check: bytes = 2×(48·60·4.718592e-6 + 48·1.8874368e-5 + 144000·49152e-12) TB.
        let experts: Double = 48 * 60 * 4.718592e-6
        let attention: Double = 48 * 1.8874368e-5
        let kv: Double = 144_000 * 49152e-12
        let bytes: Double = 2 * (experts + attention + kv)
        let flopTerms: Double = 48 * 4.718592e-6 + attention + 2 * 144_000 * 196_608e-12
        let flops: Double = flopTerms * 2 * 1600
        let records = [Self.decode(latency: 0.02, seq: 144_000, batch: 32, activation: 60)]
        let m = try Self.run(records, "Qwen/Qwen3-30B-A3B")
        #expect(abs(m.decodingSMBU - bytes / 0.02 / 3.35) < 1e-12)
        #expect(abs(m.decodingSMFU - flops / (1979.0 / 2)) < 1e-12)
    }

    @Test func jsonHasTheNineKeysInMoECAPOrder() throws {
        let m = try Self.run(
            [
                Self.prefill(latency: 0.25, seq: 4000, activation: 120),
                Self.decode(latency: 0.02, seq: 144_000, batch: 32, activation: 60),
            ],
            "Qwen/Qwen3-30B-A3B")
        #expect(
            m.json.objectValue?.keys == [
                "prefill_smbu", "prefill_smfu", "decoding_smbu", "decoding_smfu", "kv_size", "decoding_throughput",
                "prefill_tp", "ttft", "tpot",
            ])
        #expect(m.json["ttft"] == .double(0.25))
    }

    @Test func emptyListsGiveIntegerZeros() throws {
        // Only a decode record: prefill fields are Python's integer 0.
        let m = try Self.run([Self.decode(latency: 0.5, seq: 8, batch: 8, activation: 30)], "Qwen/Qwen3-30B-A3B")
        #expect(m.json["prefill_smbu"] == .int(0))
        #expect(m.json["ttft"] == .int(0))
        #expect(m.json["prefill_tp"] == .int(0))
        #expect(m.json["tpot"] == .double(0.5))
        #expect(m.json["decoding_throughput"] == .double(16))
        let none = try Self.run([], "Qwen/Qwen3-30B-A3B")
        let zeros =
            #"{"prefill_smbu":0,"prefill_smfu":0,"decoding_smbu":0,"decoding_smfu":0,"kv_size":0,"#
            + #""decoding_throughput":0,"prefill_tp":0,"ttft":0,"tpot":0}"#
        #expect(none.json.serialized(compact: true) == zeros)
    }

    // MARK: skip rules (§4)

    @Test func recordsWithoutOrWithNegativeActivationAreSkipped() throws {
        let base = [Self.decode(latency: 0.02, seq: 32, batch: 32, activation: 60)]
        let noisy =
            base + [
                Self.decode(latency: 9, seq: 32, batch: 1, activation: nil),
                Self.decode(latency: 9, seq: 32, batch: 1, activation: -1),
                Self.prefill(latency: 9, seq: 500, activation: nil),
                Self.prefill(latency: 9, seq: 500, activation: -0.5),
            ]
        let a = try Self.run(base, "Qwen/Qwen3-30B-A3B")
        let b = try Self.run(noisy, "Qwen/Qwen3-30B-A3B")
        #expect(a == b)
        #expect(b.prefillCount == 0)
    }

    @Test func zeroActivationIsKept() throws {
        let m = try Self.run([Self.decode(latency: 0.1, seq: 4, batch: 4, activation: 0)], "Qwen/Qwen3-30B-A3B")
        #expect(m.decodeCount == 1)
        #expect(m.decodingSMBU > 0)
    }

    @Test func tinyPrefillWarmupProbesAreSkipped() throws {
        let m = try Self.run(
            [
                Self.prefill(latency: 1, seq: 10, activation: 8), Self.prefill(latency: 0.5, seq: 11, activation: 8),
                Self.decode(latency: 0.25, seq: 1, batch: 1, activation: 8),
            ],
            "mistralai/Mixtral-8x7B-Instruct-v0.1")
        #expect(m.prefillCount == 1)
        #expect(m.ttft == 0.5)
        #expect(m.prefillTP == 22)
        // The ≤ 10 rule is for prefill only: a 1-token decode is kept.
        #expect(m.decodeCount == 1)
        #expect(m.tpot == 0.25)
    }

    @Test(arguments: ["decode", "decoding", "mixed", "unknown", "Prefill", "PREFILL"])
    func everyModeButExactPrefillIsDecode(mode: String) throws {
        let m = try Self.run(
            [Self.decode(latency: 0.5, seq: 100, batch: 4, activation: 8, mode: mode)],
            "mistralai/Mixtral-8x7B-Instruct-v0.1")
        #expect(m.decodeCount == 1)
        #expect(m.prefillCount == 0)
        #expect(m.decodingThroughput == 8)
    }

    @Test func meansAreUnweighted() throws {
        let m = try Self.run(
            [
                Self.decode(latency: 0.01, seq: 1, batch: 1, activation: 8),
                Self.decode(latency: 0.03, seq: 128, batch: 128, activation: 8),
            ],
            "mistralai/Mixtral-8x7B-Instruct-v0.1")
        #expect(Self.close(m.tpot, 0.02))
        #expect(Self.close(m.decodingThroughput, (100 + 128 / 0.03) / 2))
    }

    // MARK: per-request prefill (§4)

    @Test func perRequestInfoAccumulatesTTFTPerRequest() throws {
        let id = "Qwen/Qwen3-30B-A3B"
        let records = [
            Self.prefill(
                latency: 0.1, seq: 3000, activation: 100, batch: 2,
                info: [
                    PerRequestChunk(reqId: "r1", extendLen: 2000, totalLen: 5000, isLastChunk: false),
                    PerRequestChunk(reqId: "r2", extendLen: 1000, isLastChunk: true),
                ]),
            Self.decode(latency: 0.02, seq: 2, batch: 2, activation: 20),
            Self.prefill(
                latency: 0.2, seq: 3000, activation: 110,
                info: [
                    PerRequestChunk(reqId: "r1", extendLen: 3000, totalLen: 5000, isLastChunk: true)
                ]),
            // A prefill pass without per_req_info stays per-pass even in per-request mode.
            Self.prefill(latency: 0.05, seq: 500, activation: 90),
            // Never completed: excluded.
            Self.prefill(
                latency: 0.4, seq: 100, activation: 90,
                info: [
                    PerRequestChunk(reqId: "r3", extendLen: 100, totalLen: 900, isLastChunk: false)
                ]),
            // Keyed by req_pool_idx when there is no req_id.
            Self.prefill(
                latency: 0.3, seq: 64, activation: 50,
                info: [
                    PerRequestChunk(reqPoolIdx: 7, extendLen: 64, isLastChunk: true)
                ]),
            // Warm-up probe with per_req_info: skipped (≤ 10 tokens).
            Self.prefill(
                latency: 5, seq: 5, activation: 50,
                info: [
                    PerRequestChunk(reqId: "r2", extendLen: 5, isLastChunk: true)
                ]),
        ]
        let m = try Self.run(records, id)
        // TTFTs: per-pass 0.05 first, then r1 = 0.1 + 0.2 (full pass latencies), r2 = 0.1, pool 7 = 0.3.
        #expect(m.prefillCount == 4)
        let ttfts: [Double] = [0.05, 0.3, 0.1, 0.3]
        #expect(Self.close(m.ttft, ttfts.reduce(0, +) / 4))
        // prefill_tp per request: total_len when > 0 else Σ extend_len.
        let rates: [Double] = [500 / 0.05, 5000 / 0.3, 1000 / 0.1, 64 / 0.3]
        #expect(Self.close(m.prefillTP, rates.reduce(0, +) / 4))
        // kv_size over decode, per-pass prefill and completed requests: (ctx+1)·kv_tok/1e6.
        let kv = [3.0, 501, 5001, 1001, 65].map { $0 * 49152 / 1e6 }
        #expect(Self.close(m.kvSize, kv.reduce(0, +) / 5))
        #expect(m.decodeCount == 1)

        // Each request's S-MBU/S-MFU equals a single pass of its tokens over its summed latency, with the
        // activation of its last chunk's record.
        let equivalent = [
            Self.prefill(latency: 0.05, seq: 500, activation: 90),
            Self.prefill(latency: 0.3, seq: 5000, activation: 110),
            Self.prefill(latency: 0.1, seq: 1000, activation: 100),
            Self.prefill(latency: 0.3, seq: 64, activation: 50),
        ]
        let e = try Self.run(equivalent, id)
        #expect(Self.close(m.prefillSMBU, e.prefillSMBU, rel: 1e-12))
        #expect(Self.close(m.prefillSMFU, e.prefillSMFU, rel: 1e-12))
        #expect(Self.close(m.ttft, e.ttft, rel: 1e-12))
    }

    @Test func completedRequestKeepsAccumulatingWhenItsKeyReturns() throws {
        // Python never pops a finished entry: a reused pool slot adds to the old request (the bug HEAD avoids by
        // keying on req_id first).
        let records = [
            Self.prefill(
                latency: 0.1, seq: 100, activation: 8,
                info: [
                    PerRequestChunk(reqPoolIdx: 3, extendLen: 100, isLastChunk: true)
                ]),
            Self.prefill(
                latency: 0.2, seq: 50, activation: 8,
                info: [
                    PerRequestChunk(reqPoolIdx: 3, extendLen: 50, isLastChunk: false)
                ]),
        ]
        let m = try Self.run(records, "mistralai/Mixtral-8x7B-Instruct-v0.1")
        #expect(m.prefillCount == 1)
        #expect(Self.close(m.ttft, 0.3))
        #expect(Self.close(m.prefillTP, 150 / 0.3))
    }

    // MARK: de-duplication

    @Test func removingRankCopiesDoesNotChangePerPassMeans() throws {
        var records: [BatchRecord] = []
        for i in 0..<6 {
            var r =
                i % 3 == 0
                ? Self.prefill(latency: 0.2 + Double(i) / 100, seq: 1000 + i, activation: 100)
                : Self.decode(latency: 0.02 + Double(i) / 1000, seq: 16, batch: 16, activation: 50 + Double(i))
            r.forwardPassID = 100 + i
            r.gpuNum = 4
            records.append(r)
        }
        let copies = records.flatMap { [$0, $0, $0, $0] }
        #expect(BatchRecord.deduplicated(copies) == records)
        let a = try Self.run(records, "Qwen/Qwen3-30B-A3B", gpus: 4)
        let b = try Self.run(copies, "Qwen/Qwen3-30B-A3B", gpus: 4)
        for (x, y) in [
            (a.prefillSMBU, b.prefillSMBU), (a.decodingSMFU, b.decodingSMFU), (a.kvSize, b.kvSize),
            (a.ttft, b.ttft), (a.tpot, b.tpot), (a.prefillTP, b.prefillTP),
            (a.decodingThroughput, b.decodingThroughput),
        ] {
            #expect(Self.close(x, y, rel: 1e-12))
        }
        #expect(b.decodeCount == 4 * a.decodeCount)
    }

    @Test func numGPUsScalesOnlyTheDenominator() throws {
        let records = [Self.decode(latency: 0.02, seq: 64, batch: 64, activation: 60)]
        let one = try Self.run(records, "Qwen/Qwen3-30B-A3B", gpus: 1)
        let four = try Self.run(records, "Qwen/Qwen3-30B-A3B", gpus: 4)
        #expect(Self.close(four.decodingSMBU * 4, one.decodingSMBU, rel: 1e-12))
        #expect(Self.close(four.decodingSMFU * 4, one.decodingSMFU, rel: 1e-12))
        #expect(four.tpot == one.tpot)
    }

    @Test func runHardwareComesFromTheFirstRecord() {
        var a = Self.decode(latency: 1, seq: 1, batch: 1, activation: 1)
        a.gpuNum = 2
        var b = a
        b.gpuNum = 8
        b.gpuRawType = "NVIDIA-A100-SXM4-80GB"
        #expect(ContinuousMetrics.runGPUCount([a, b], fallback: 1) == 2)
        #expect(ContinuousMetrics.runGPUCount([], fallback: 3) == 3)
        a.gpuNum = nil
        #expect(ContinuousMetrics.runGPUCount([a, b], fallback: 5) == 5)
        #expect(ContinuousMetrics.runGPURawType([b, a], fallback: "x") == "NVIDIA-A100-SXM4-80GB")
        #expect(ContinuousMetrics.runGPURawType([], fallback: "x") == "x")
    }

    @Test func catalogGPUOverloadUsesTheTableKey() throws {
        let records = [Self.decode(latency: 0.02, seq: 64, batch: 64, activation: 60)]
        let gpu = try #require(HardwareCatalog.gpu(named: "h200"))
        let viaSpec = try ContinuousMetrics.compute(
            records: records, model: Self.spec("Qwen/Qwen3-30B-A3B"), gpu: gpu, usedDtype: "bfloat16",
            precision: 2, numGPUs: 1)
        let viaName = try Self.run(records, "Qwen/Qwen3-30B-A3B", gpu: "NVIDIA-H200-140GB")
        #expect(viaSpec == viaName)
        #expect(viaSpec.gpuRawType == "NVIDIA-H200-140GB")
    }

    // MARK: failures MoE-CAP turns into `{}`

    @Test func unknownGPUThrowsInsteadOfCrashing() throws {
        let records = [Self.decode(latency: 0.02, seq: 64, batch: 64, activation: 60)]
        // Not a table key (the §8 test fixture name), and an alias that only HardwareCatalog understands.
        for name in ["NVIDIA-A100-80GB", "H100", "nvidia-h100-hbm3-80gb"] {
            #expect(throws: ContinuousMetricsError.zeroPeakBandwidth(gpuRawType: name)) {
                try Self.run(records, "Qwen/Qwen3-30B-A3B", gpu: name)
            }
        }
    }

    @Test(arguments: ["gptq", "awq", "nvfp4", "float8"])
    func precisionWithoutFlopsSectionThrows(dtype: String) {
        let records = [Self.prefill(latency: 0.2, seq: 64, activation: 60)]
        #expect(throws: ContinuousMetricsError.zeroPeakFlops(gpuRawType: Self.h100, usedDtype: dtype)) {
            try Self.run(records, "Qwen/Qwen3-30B-A3B", dtype: dtype)
        }
    }

    @Test func mxfp4ReadsTheFp4SectionAndZeroEntriesThrow() throws {
        let records = [Self.prefill(latency: 0.2, seq: 64, activation: 60)]
        let mx = try Self.run(records, "Qwen/Qwen3-30B-A3B", dtype: "mxfp4", precision: 0.5)
        let fp4 = try Self.run(records, "Qwen/Qwen3-30B-A3B", dtype: "fp4", precision: 0.5)
        #expect(mx == fp4)
        // A100-PCIe-40GB has no fp4 entry; RTX-A6000 has an explicit 0 for fp8.
        #expect(throws: ContinuousMetricsError.self) {
            try Self.run(records, "Qwen/Qwen3-30B-A3B", gpu: "NVIDIA-A100-PCIe-40GB", dtype: "fp4")
        }
        #expect(throws: ContinuousMetricsError.self) {
            try Self.run(records, "Qwen/Qwen3-30B-A3B", gpu: "NVIDIA-RTX-A6000-48GB", dtype: "fp8")
        }
    }

    @Test func zeroPeakDoesNotThrowWhenNothingIsComputed() throws {
        // Python only divides per kept record: a run whose records are all skipped returns zeros.
        let m = try Self.run(
            [
                Self.prefill(latency: 0.2, seq: 5, activation: 60),
                Self.decode(latency: 1, seq: 1, batch: 1, activation: nil),
            ],
            "Qwen/Qwen3-30B-A3B", gpu: "NVIDIA-A100-80GB", dtype: "gptq")
        #expect(m.prefillCount == 0 && m.decodeCount == 0 && m.kvCount == 0)
        #expect(m.gpuRawType == "NVIDIA-A100-80GB")
    }

    @Test func zeroGPUCountThrows() {
        #expect(throws: ContinuousMetricsError.zeroGPUCount) {
            try Self.run(
                [Self.decode(latency: 0.02, seq: 64, batch: 64, activation: 60)], "Qwen/Qwen3-30B-A3B", gpus: 0)
        }
    }

    @Test func zeroLatencyThrowsLikeZeroDivisionError() {
        #expect(throws: ContinuousMetricsError.zeroLatency(forwardMode: "decode")) {
            try Self.run([Self.decode(latency: 0, seq: 64, batch: 64, activation: 60)], "Qwen/Qwen3-30B-A3B")
        }
        #expect(throws: ContinuousMetricsError.zeroLatency(forwardMode: "prefill")) {
            try Self.run([Self.prefill(latency: 0, seq: 64, activation: 60)], "mistralai/Mixtral-8x7B-Instruct-v0.1")
        }
    }

    @Test func zeroPerRequestTTFTFollowsEachFamily() throws {
        let records = [
            Self.prefill(
                latency: 0, seq: 64, activation: 8,
                info: [
                    PerRequestChunk(reqId: "a", extendLen: 64, isLastChunk: true)
                ])
        ]
        // Default family divides by `(ttft or 1)` and prefill_tp is 0 when ttft is 0: no error.
        let m = try Self.run(records, "mistralai/Mixtral-8x7B-Instruct-v0.1")
        #expect(m.prefillCount == 1)
        #expect(m.ttft == 0 && m.prefillTP == 0 && m.prefillSMFU == 0)
        #expect(m.prefillSMBU > 0)
        // The Qwen3 helper divides by ttft itself.
        #expect(throws: ContinuousMetricsError.zeroLatency(forwardMode: "prefill")) {
            try Self.run(records, "Qwen/Qwen3-30B-A3B")
        }
    }

    @Test func errorsDescribeThemselves() {
        #expect(ContinuousMetricsError.zeroPeakBandwidth(gpuRawType: "X").description.contains("'X'"))
        #expect(ContinuousMetricsError.zeroPeakFlops(gpuRawType: "X", usedDtype: "gptq").description.contains("gptq"))
    }
}
