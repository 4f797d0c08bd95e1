import EvaluatorClient
import Foundation
import MoECore
import Testing

@testable import Evaluator

/// The run logic against a fake transport: phases, verdicts, files.
@Suite struct EvaluationRunTests {
    func withOutput<T>(_ body: (String) async throws -> T) async throws -> T {
        let dir = try DatasetTempDirectory()
        defer { dir.remove() }
        return try await body(dir.path)
    }

    @Test func completeRunWritesEveryFileIncludingTheScriptsOwn() async throws {
        try await withOutput { out in
            var config = testConfig(out)
            config.expertRecording = .perPass
            let server = ScriptedSLLM()
            let transport = server.transport()
            let (status, metrics) = try await Evaluation(config: config, transport: transport).run(
                dataset: try sampleDataset(3))
            #expect(status == .completed)
            #expect(metrics["accuracy_metrics"]?["correct"] == 3)
            // The script's call order: warm-up, start, expert start, statuses, chats, stop, expert stop+dump, dump.
            let control = transport.paths.filter { $0 != "/v1/chat/completions" }
            #expect(
                control == [
                    "/start_batch_recording", "/start_expert_distribution", "/batch_recording_status",
                    "/expert_distribution_status", "/stop_batch_recording", "/stop_expert_distribution",
                    "/dump_expert_distribution", "/dump_batch_recording",
                ])
            #expect(transport.paths.filter { $0 == "/v1/chat/completions" }.count == 4)

            let expert = try #require(metrics["expert_distribution"])
            #expect(expert["recording_mode"] == "per_pass" && expert["workers"] == 1)
            #expect(expert["per_worker_mean"]?["avg_activated_per_layer_mean"] == 3.5)
            #expect(expert["per_worker_mean"]?["avg_expert_utilization"] == 0.875)
            #expect(FileManager.default.fileExists(atPath: out + "/expert_distribution.json"))

            let folder = out + "/Qwen/Qwen3-30B-A3B"
            let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
            let capName = try #require(names.first { $0.hasPrefix("cap_metrics_sllm_gsm8k_") })
            #expect(capName.count == "cap_metrics_sllm_gsm8k_20260101_000000.json".count)
            let cap = try JSONValue.parse(
                [UInt8](try #require(FileManager.default.contents(atPath: folder + "/" + capName))))
            #expect(
                cap.objectValue?.keys == [
                    "prefill_smbu", "prefill_smfu", "decoding_smbu", "decoding_smfu", "kv_size", "decoding_throughput",
                    "prefill_tp", "ttft", "tpot", "exact_match", "correct", "total", "no_answer", "model_name",
                    "method",
                    "precision", "e2e_s", "batch_size", "gpu_type", "dataset", "model_type", "total_requests",
                    "successful_requests", "failed_requests",
                ])
            #expect(cap["batch_size"] == .null && cap["precision"] == "float16" && cap["gpu_type"] == "1xH100")
            let text = try String(contentsOfFile: folder + "/detailed_results_gsm8k.jsonl", encoding: .utf8)
            let lines = try text.split(separator: "\n").map { try JSONValue.parse(String($0)) }
            #expect(lines.count == 3)
            #expect(
                lines[0].objectValue?.keys == [
                    "index", "success", "is_correct", "prompt", "expected", "extracted_answer", "generated", "error",
                ])
            #expect(lines[2]["index"] == 2 && lines[2]["is_correct"] == true && lines[2]["error"] == "")
        }
    }

    /// Without a request rate the warm-up declares a closed loop of one request, under an id of its own, beside
    /// the run's plan (docs/serving.md "Reproducible arrivals", rule 5); with a rate neither declares anything.
    @Test(arguments: [nil, 50.0]) func warmUpDeclaresALoopOfItsOwn(rate: Double?) async throws {
        try await withOutput { out in
            var config = testConfig(out)
            config.requestRate = rate
            let server = ScriptedSLLM()
            let plans = Locked([String?]())
            let transport = FakeTransport { request throws(HTTPClientError) in
                if FakeTransport.path(of: request.url) == "/v1/chat/completions" {
                    plans.withLock { $0.append(request.headers[ClosedLoopPlan.headerName]) }
                }
                return try await server.answer(request)
            }
            let (status, _) = try await Evaluation(config: config, transport: transport).run(
                dataset: try sampleDataset(3))
            #expect(status == .completed)
            let sent = plans.withLock { $0 }.map { $0.flatMap(ClosedLoopPlan.init(headerValue:)) }
            #expect(sent.count == 4)
            guard rate == nil else {
                #expect(sent.allSatisfy { $0 == nil })
                return
            }
            let warmUp = try #require(sent[0])
            #expect(warmUp.total == 1 && warmUp.workers == 1)
            let run = try #require(sent[1])
            #expect(run.total == 3 && run.client != warmUp.client)
            #expect(sent[2...].allSatisfy { $0 == run })
        }
    }

    @Test func deadServerSaysUnreachableAndSendsNothing() async throws {
        try await withOutput { out in
            let transport = FakeTransport { request throws(HTTPClientError) in
                throw HTTPClientError(kind: .connectionFailed, message: "Connection refused", url: request.url)
            }
            let (status, _) = try await Evaluation(config: testConfig(out), transport: transport).run(
                dataset: try sampleDataset(4))
            guard case .incomplete(let problems) = status, case .serverUnreachable(_, let reason) = problems.first
            else {
                Issue.record("expected serverUnreachable, got \(status)")
                return
            }
            #expect(reason.contains("Connection refused"))
            #expect(problems.count == 1)
            #expect(!problems.map(\.description).joined().contains("No batch data"))
            #expect(transport.paths == ["/v1/chat/completions"])  // the warm-up only
        }
    }

    @Test func everyRequestFailingGivesTheServersReasonNotNoBatchData() async throws {
        try await withOutput { out in
            var server = ScriptedSLLM()
            server.records = []
            server.chat = { _ in FakeTransport.response(200, #"{"id":"x","choices":[{"message":{"content":"tru"#) }
            let (status, metrics) = try await Evaluation(config: testConfig(out), transport: server.transport()).run(
                dataset: try sampleDataset(6))
            guard case .incomplete(let problems) = status else {
                Issue.record("a run where every request failed completed")
                return
            }
            #expect(problems.count == 1)
            guard case .allRequestsFailed(let count, let errors) = problems.first else {
                Issue.record("expected allRequestsFailed, got \(problems)")
                return
            }
            #expect(count == 6 && errors.count == 1 && errors[0].count == 6)
            #expect(errors[0].message.contains("not JSON"))
            #expect(metrics["client_metrics"]?["failed_requests"] == 6)
            #expect(metrics["client_metrics"]?["failure_reasons"]?.arrayValue?.first?["count"] == 6)
        }
    }

    @Test func serverLostAfterSendingIsSaidSo() async throws {
        try await withOutput { out in
            let server = ScriptedSLLM()
            let transport = FakeTransport { request throws(HTTPClientError) in
                if FakeTransport.path(of: request.url) == "/dump_batch_recording" {
                    throw HTTPClientError(kind: .connectionFailed, message: "Connection refused", url: request.url)
                }
                return try await server.answer(request)
            }
            let (status, _) = try await Evaluation(config: testConfig(out), transport: transport).run(
                dataset: try sampleDataset(2))
            guard case .incomplete(let problems) = status, case .serverLost = problems.first else {
                Issue.record("expected serverLost, got \(status)")
                return
            }
            #expect(problems.count == 1)
        }
    }

    @Test func wrongShapesAndBrokenStreamsAreFailures() {
        let start = ContinuousClock.now
        func read(_ r: HTTPResponse) -> ServerFailure? {
            if case .failure(let f) = ChatResponseReader.read(r, start: start) { return f }
            return nil
        }
        #expect(read(FakeTransport.response(200, #"{"choices":5}"#))?.cause == .malformed)
        #expect(read(FakeTransport.response(200, #"{"choices":[]}"#))?.cause == .malformed)
        #expect(read(FakeTransport.response(200, #"{"choices":[{"message":{"content":7}}]}"#))?.cause == .malformed)
        #expect(
            read(
                FakeTransport.response(
                    200, #"{"choices":[{"message":{"content":"x"}}],"usage":{"completion_tokens":"5"}}"#))?
                .cause == .malformed)
        #expect(read(ScriptedSLLM.completion("ok")) == nil)
        let chunk = #"data: {"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}"#
        #expect(read(FakeTransport.sse([chunk, "data: {broken", "data: [DONE]"]))?.cause == .malformed)
        #expect(read(FakeTransport.sse([chunk]))?.message.contains("[DONE]") == true)
        #expect(read(FakeTransport.sse([#"data: {"choices":[{"delta":5}]}"#, "data: [DONE]"]))?.cause == .malformed)
        #expect(read(FakeTransport.sse([#"data: {"error":{"message":"boom"}}"#]))?.message == "boom")
        #expect(read(FakeTransport.sse([chunk, "data: [DONE]"])) == nil)
    }

    @Test func simulatedTimingComesFromTheServersStatements() throws {
        let start = ContinuousClock.now
        let plain = try ChatResponseReader.read(
            ScriptedSLLM.completion("x", completionTokens: 11, timing: (10.0, 10.5, 11.5)), start: start
        ).get()
        let sim = try #require(plain.simulated)
        #expect(sim.ttft == 0.5 && sim.e2e == 1.5)
        #expect(abs((sim.tpot(outputTokens: 11) ?? 0) - 0.1) < 1e-12)

        func event(_ t: Double, _ content: String?, finish: String? = nil) -> String {
            let c = content.map { #""content":"\#($0)""# } ?? ""
            let f = finish.map { #""\#($0)""# } ?? "null"
            return ": fake-sllm sim_t=\(t)\ndata: {\"choices\":[{\"index\":0,\"delta\":{\(c)},\"finish_reason\":\(f)}]}"
        }
        let stream = FakeTransport.sse(
            [
                event(2.25, "a"), event(2.5, "b"), event(3.0, "c"), event(3.0, nil, finish: "length"),
                #"data: {"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":3}}"#, "data: [DONE]",
            ], headers: ["X-Fake-SLLM-Arrival-S": "2"])
        let streamed = try ChatResponseReader.read(stream, start: start).get()
        let s = try #require(streamed.simulated)
        #expect(s.ttft == 0.25 && s.e2e == 1.0 && s.interTokenLatencies == [0.25, 0.5])
        #expect(streamed.completionTokens == 3 && streamed.text == "abc")
        // A real server states nothing: no simulated figures.
        #expect(try ChatResponseReader.read(ScriptedSLLM.completion("x"), start: start).get().simulated == nil)
    }

    @Test func clientMetricsPutSimulatedFiguresBesideWallClock() async throws {
        try await withOutput { out in
            var server = ScriptedSLLM()
            let counter = Locked(0)
            server.chat = { _ in
                let k = Double(
                    counter.withLock { n in
                        n += 1
                        return n
                    })
                return ScriptedSLLM.completion("#### 42", completionTokens: 11, timing: (k, k + 0.2, k + 1.2))
            }
            let (_, metrics) = try await Evaluation(config: testConfig(out), transport: server.transport()).run(
                dataset: try sampleDataset(4))
            let client = try #require(metrics["client_metrics"])
            #expect(client["clock"] == "simulated")
            let sim = try #require(client["simulated"])
            #expect(sim["requests_timed"] == 4)
            #expect(abs((sim["ttft_s"]?["mean"]?.doubleValue ?? 0) - 0.2) < 1e-9)
            #expect(abs((sim["tpot_s"]?["mean"]?.doubleValue ?? 0) - 0.1) < 1e-9)
            #expect(abs((sim["e2e_latency_s"]?["mean"]?.doubleValue ?? 0) - 1.2) < 1e-9)
            // Requests 2…5 (the warm-up was 1): first arrival 2, last finish 6.2.
            #expect(abs((sim["duration_s"]?.doubleValue ?? 0) - 4.2) < 1e-9)
            #expect(client["wall_clock"]?["duration_s"] != nil)
            // The warm-up (request 1) is reported on its own, on both clocks.
            #expect(client["warm_up"]?["sim_arrival_s"] == 1.0 && client["warm_up"]?["succeeded"] == true)
            #expect(abs((client["warm_up"]?["sim_ttft_s"]?.doubleValue ?? 0) - 0.2) < 1e-9)
            #expect(SummaryTable.render(metrics).contains("client ttft mean (simulated s)"))
        }
    }

    @Test func interruptEndsAHangingWarmUp() async throws {
        try await withOutput { out in
            // The warm-up would wait ten minutes.
            let transport = FakeTransport { request throws(HTTPClientError) in
                do { try await Task.sleep(for: .seconds(600)) } catch {
                    throw HTTPClientError(kind: .cancelled, message: "cancelled", url: request.url)
                }
                return FakeTransport.response(200, "{}")
            }
            let evaluation = Evaluation(config: testConfig(out), transport: transport)
            let clock = ContinuousClock()
            let started = clock.now
            // Ctrl-C from a thread of its own, as the signal handler's (not a task: the pool may be busy).
            Thread.detachNewThread {
                usleep(200_000)
                evaluation.interrupt()
            }
            let (status, _) = try await evaluation.run(dataset: try sampleDataset(2))
            // Wide: a saturated machine may delay the run's tasks by many seconds, never by ten minutes.
            #expect(started.duration(to: clock.now) < .seconds(120))
            #expect(status == .incomplete([.interrupted]))
            #expect(transport.paths == ["/v1/chat/completions"])
        }
    }

    @Test func verdictDecisionsAreValues() {
        let refused = ServerFailure(.transport(.connectionFailed), "refused")
        #expect(
            SendDecision.after(warmUp: refused, serverURL: "u", timeout: 1, interrupted: false)
                == .skip(.serverUnreachable(url: "u", reason: "refused")))
        #expect(
            SendDecision.after(
                warmUp: ServerFailure(.status(500), "x"), serverURL: "u", timeout: 1, interrupted: false)
                == .send)
        #expect(
            SendDecision.after(warmUp: nil, serverURL: "u", timeout: 1, interrupted: true) == .skip(.interrupted)
        )
        let slow = ServerFailure(.transport(.timeout), "timed out")
        #expect(
            SendDecision.after(warmUp: slow, serverURL: "u", timeout: 2, interrupted: false)
                == .skip(.warmUpTimedOut(url: "u", seconds: 2)))
        var ok = RequestOutcome(index: 0, response: nil, text: "x", error: nil, startOffset: 0)
        ok.e2e = 1
        let none = RunVerdict.problems(
            decision: .send, recording: .recording(instanceID: nil, expert: false), outcomes: [ok],
            collection: .none, interrupted: false)
        #expect(none == [.noRecords])
        // The instance that recorded was retired, or replaced, before the dump.
        var replaced = RecordingCollection.none
        replaced.dump = ["status": "success", "instance_id": "new", "records": []]
        #expect(
            RunVerdict.problems(
                decision: .send, recording: .recording(instanceID: "old", expert: false), outcomes: [ok],
                collection: replaced, interrupted: false) == [.instanceReplaced(started: "old", dumped: "new")])
        var retired = RecordingCollection.none
        retired.dumpFailure = ServerFailure(.errorAnswer, "No ready instances available")
        #expect(
            RunVerdict.problems(
                decision: .send, recording: .recording(instanceID: "old", expert: false), outcomes: [ok],
                collection: retired, interrupted: false) == [.instanceRetired("old")])
        // Requests cancelled by Ctrl-C are not "all requests failed".
        var cancelled = RequestOutcome(index: 1, response: nil, text: "", error: nil, startOffset: 0)
        cancelled.fail(ServerFailure(.transport(.cancelled), "cancelled"))
        let interrupted = RunVerdict.problems(
            decision: .send, recording: .skipped, outcomes: [cancelled, cancelled], collection: .none, interrupted: true
        )
        #expect(interrupted == [.interrupted])
        let uninterrupted = RunVerdict.problems(
            decision: .send, recording: .skipped, outcomes: [cancelled], collection: .none, interrupted: false)
        #expect(uninterrupted.first.map { if case .allRequestsFailed = $0 { true } else { false } } == true)
    }
}
