import EvaluatorClient
import Foundation
import MoECore
import Testing

@testable import Evaluator

@Suite struct RunAndReportTests {
    @Test func serverAnswersAreJudgedLikeTheRealServerMeansThem() throws {
        func judge(_ status: Int, _ body: String) -> ServerAnswer {
            ServerAnswer.judge(status: status, body: Array(body.utf8))
        }
        #expect(judge(200, #"{"status":"success"}"#).value != nil)
        let f1 = try #require(judge(200, #"{"status":"error","message":"No ready instances available"}"#).failure)
        #expect(f1.cause == .errorAnswer && RecordingRefusal(f1) == .noReadyInstance)
        let f2 = try #require(judge(200, #"{"error":"Invalid sampling parameters: x"}"#).failure)
        #expect(f2.message == "Invalid sampling parameters: x" && f2.cause == .errorAnswer)
        let f3 = try #require(
            judge(
                400, #"{"detail":"Model m does not support batch recording. Please deploy with backend='vllm_moecap'"}"#
            ).failure)
        #expect(f3.status == 400)
        guard case .unsupportedBackend = RecordingRefusal(f3) else {
            Issue.record("400 not classified as an unsupported backend")
            return
        }
        let f4 = try #require(judge(500, "Internal Server Error").failure)
        #expect(f4.status == 500 && f4.message == "Internal Server Error")
        // A truncated 200 and a 200 that is not an object are malformed, not successes.
        #expect(judge(200, #"{"status":"succ"#).failure?.cause == .malformed)
        #expect(judge(200, "[1,2]").failure?.cause == .malformed)
        #expect(
            RecordingRefusal(try #require(judge(404, #"{"detail":"Model m not found or not deployed"}"#).failure))
                == .modelNotFound("Model m not found or not deployed"))
    }

    func record(_ mode: String, _ tokens: Int, _ latency: Double, id: Int, gpu: String = "NVIDIA-H100-HBM3-80GB")
        -> JSONValue
    {
        [
            "batch_size": .int(tokens), "latency": .double(latency), "seq_lens_sum": .int(tokens),
            "forward_mode": .string(mode), "expert_activation": 60.0, "forward_pass_id": .int(id), "gpu_num": 1,
            "gpu_raw_type": .string(gpu),
        ]
    }

    func input(records: [JSONValue], gpuType: String? = nil, model: String = "Qwen/Qwen3-30B-A3B") -> ScoringInput {
        var config = EvaluationConfig(model: model, dataset: .gsm8k)
        config.gpuType = gpuType
        return ScoringInput(
            config: config, targets: ["42", "7"], responses: ["#### 42", nil], outcomes: [], records: records,
            wallSeconds: 1.234, groundTruth: nil)
    }

    @Test func metricsDeduplicateRankCopiesAndComputeBothSections() throws {
        let records = [
            record("prefill", 4000, 0.25, id: 5), record("prefill", 4000, 0.25, id: 5),
            record("decode", 32, 0.02, id: 6),
        ]
        let out = MetricsReport.build(input(records: records))
        let batch = try #require(out.json["batch_metrics"])
        #expect(batch["total_batches"] == 2 && batch["total_records"] == 3)
        #expect(batch["ttft"] == 0.25 && batch["tpot"] == 0.02)
        #expect(out.json["accuracy_metrics"]?["correct"] == 1 && out.json["accuracy_metrics"]?["no_answer"] == 1)
        #expect(out.json["run_info"]?["e2e_s"] == 1.23 && out.json["run_info"]?["gpu_type"] == "1xH100")
        #expect(out.warnings.isEmpty)
    }

    @Test func unknownGPUOrModelOmitsAdvancedFieldsWithAWarning() throws {
        let records = [record("decode", 32, 0.02, id: 6, gpu: "NVIDIA-A100-80GB")]
        let out = MetricsReport.build(input(records: records))
        #expect(out.json["batch_metrics"]?["decoding_smbu"] == nil)
        #expect(out.json["batch_metrics"]?["total_batches"] == 1)
        #expect(out.warnings.contains { $0.contains("NVIDIA-A100-80GB") })
        // --gpu-type fixes it.
        let fixed = MetricsReport.build(input(records: records, gpuType: "A100"))
        #expect(fixed.json["batch_metrics"]?["decoding_smbu"] != nil)
        let unknownModel = MetricsReport.build(input(records: records, gpuType: "H100", model: "acme/unknown"))
        #expect(unknownModel.warnings.contains { $0.contains("--model-config") })
    }

    @Test func emptyDumpIsReported() {
        let out = MetricsReport.build(input(records: []))
        #expect(out.json["batch_metrics"]?["error"] == "No batch data collected")
        #expect(out.json["accuracy_metrics"]?["total"] == 2)
    }

    @Test func poissonArrivalsHaveTheRequestedRate() {
        let arrivals = RequestSchedule(concurrency: nil, rate: 20, seed: 1).arrivals(4000)
        let rate = Double(arrivals.count - 1) / arrivals.last!
        #expect(abs(rate - 20) < 1.5)
        #expect(zip(arrivals.dropFirst(), arrivals).allSatisfy { $0 >= $1 })
        #expect(RequestSchedule(concurrency: 4, rate: nil, seed: 1).arrivals(3) == [0, 0, 0])
    }

    @Test func scheduleHonoursTheConcurrencyCap() async {
        let inFlight = Locked((now: 0, peak: 0))
        let schedule = RequestSchedule(concurrency: 3, rate: nil, seed: 0)
        var done = 0
        await schedule.run(
            count: 12, slots: nil,
            { _, _ in
                inFlight.withLock {
                    $0.now += 1; $0.peak = max($0.peak, $0.now)
                }
                try? await Task.sleep(for: .milliseconds(5))
                inFlight.withLock { $0.now -= 1 }
                return 1
            }, done: { done += $0 })
        #expect(done == 12 && inFlight.withLock { $0.peak } == 3)
    }

    /// With `ahead`, requests beyond the concurrency are handed over early (their transport's gate lets them go)
    /// and get no instant: concurrency 3 and 3 ahead hand over 6 at once, and every request past the first 3 is
    /// handed over before the concurrency allows it.
    @Test func scheduleHandsRequestsAheadWithoutAnInstant() async {
        let state = Locked((handed: 0, peak: 0, count: 0, early: Set<Int>()))
        let schedule = RequestSchedule(concurrency: 3, rate: nil, seed: 0)
        await schedule.run(
            count: 12, slots: nil, ahead: 3,
            { i, allowed in
                state.withLock {
                    $0.handed += 1
                    $0.peak = max($0.peak, $0.handed)
                    $0.count += 1
                    if allowed == nil { $0.early.insert(i) }
                }
                try? await Task.sleep(for: .milliseconds(5))
                state.withLock { $0.handed -= 1 }
                return i
            }, done: { _ in })
        let s = state.withLock { $0 }
        #expect(s.peak == 6 && s.count == 12)
        #expect(s.early == Set(3..<12))
    }

    /// Concurrency 12 through 3 connection slots: at most 3 in flight, launched strictly in index order (request
    /// i only after i − 2 have finished), each counted from when the concurrency let it go (the start of the run).
    @Test func scheduleLaunchesBeyondTheSlotsInIndexOrder() async {
        let state = Locked((finished: 0, inFlight: 0, peak: 0, early: [Int]()))
        let schedule = RequestSchedule(concurrency: 12, rate: nil, seed: 0)
        let start = ContinuousClock.now
        var waited: [Int: Duration] = [:]
        await schedule.run(
            count: 12, slots: 3,
            { i, allowed in
                state.withLock {
                    if i >= 3 + $0.finished { $0.early.append(i) }
                    $0.inFlight += 1
                    $0.peak = max($0.peak, $0.inFlight)
                }
                let began = ContinuousClock.now
                try? await Task.sleep(for: .milliseconds(5))
                state.withLock {
                    $0.inFlight -= 1
                    $0.finished += 1
                }
                return (i, allowed!.duration(to: began))
            }, done: { waited[$0.0] = $0.1 })
        let s = state.withLock { $0 }
        #expect(s.peak == 3 && s.early.isEmpty && waited.count == 12)
        // The last request waited for a slot from the run's start: its latency counts that wait.
        #expect(waited[11]! >= .milliseconds(15))
        #expect(start.duration(to: .now) >= .milliseconds(20))
        // A plan says as much: 12 requests, 3 at a time.
        let plan = schedule.closedLoopPlan(count: 12, connections: 3)
        #expect(plan?.total == 12 && plan?.workers == 3)
        #expect(RequestSchedule(concurrency: 4, rate: 2, seed: 0).closedLoopPlan(count: 12) == nil)
    }

    @Test func fixedLengthOption() throws {
        #expect(try FixedLengthOption.parse("4K-1K") == FixedLengthPreset.fourKOneK.spec)
        #expect(try FixedLengthOption.parse("2048x512").inputTokens == 2048)
        #expect(throws: (any Error).self) { try FixedLengthOption.parse("lots") }
    }

    @Test func tpotFollowsVLLMBench() {
        var o = RequestOutcome(index: 0, response: nil, text: "", error: nil, startOffset: 0)
        o.e2e = 2.0
        o.ttft = 0.2
        o.completionTokens = 10
        #expect(abs(o.tpot! - 0.2) < 1e-12)
        o.tokenTimes = [0.2, 0.4, 0.5]
        #expect(o.interTokenLatencies.count == 2)
    }
}
