import EvaluatorClient
import Foundation
import MoECore

/// `moecap-eval check`: tells, before a live run, what will work against a server (docs/evaluator.md
/// "Pre-flight check"), without sending the dataset and without starting any recording.
///
/// In order: the server answers (`GET /health`); the model is registered (`GET /v1/models`); batch recording is
/// supported and an instance is ready (`GET /batch_recording_status`); expert-distribution recording is supported
/// (`GET /expert_distribution_status`); a one-token chat request is answered (this cold-starts an instance that
/// is scaled to zero, as the run's warm-up would), and whether it states simulated time (fake-sllm); a one-token
/// streamed request is accepted. After a cold start
/// the recording status is asked again, since a real server can only tell the backend's support once an
/// instance is ready.
///
/// A value type: `Sendable`.
package struct ServerCheck: Sendable {
    let session: ServerSession
    let model: String
    let serverURL: String
    /// The run will use `--stream`: a rejected `stream` fails the check (else it only warns).
    let stream: Bool
    /// The run will use `--enable-expert-recording`: unsupported expert recording fails the check.
    let expertRecording: Bool
    let timeout: Duration
    /// Estimated token counts of the dataset's prompts as the run would send them, if a dataset was given.
    let promptTokens: [Int]?
    /// The deployment's `max_model_len` when the user knows it (a real ServerlessLLM does not list it).
    let maxModelLen: Int?

    /// - Parameters:
    ///   - transport: the HTTP transport (an ``HTTPClient``).
    ///   - serverURL: the server's base URL.
    ///   - model: the model a run would evaluate.
    ///   - stream: whether the run will stream.
    ///   - expertRecording: whether the run will record the expert distribution.
    ///   - timeout: limit per request (the chat check waits for a cold start).
    ///   - promptTokens: the dataset's prompt lengths (estimated tokens), to compare with `max_model_len`.
    ///   - maxModelLen: the deployment's `max_model_len`, when the server does not list it.
    package init(
        transport: any HTTPTransport, serverURL: String, model: String, stream: Bool, expertRecording: Bool,
        timeout: Duration, promptTokens: [Int]? = nil, maxModelLen: Int? = nil
    ) {
        self.promptTokens = promptTokens
        self.maxModelLen = maxModelLen
        self.session = ServerSession(
            transport: transport, baseURL: serverURL, model: model, retry: .none, timeout: timeout)
        self.model = model
        self.serverURL = serverURL
        self.stream = stream
        self.expertRecording = expertRecording
        self.timeout = timeout
    }

    /// Runs every check in order; a failed `server` or `model` check skips the rest.
    package func run() async -> CheckReport {
        var report = CheckReport()
        guard await checkServer(&report), await checkModel(&report) else {
            for name in ["model", "instance", "recording", "experts", "chat", "clock", "stream"]
            where report.line(name) == nil {
                report.add(name, .skipped, "not checked")
            }
            return report
        }
        let before = await session.get("/batch_recording_status")
        let chat = await checkChat(&report)
        // Without a ready instance a real server cannot say whether the backend records: ask again after the
        // chat request has cold-started one.
        var status = before
        if RecordingRefusal.from(before) == .noReadyInstance, chat {
            status = await session.get("/batch_recording_status")
        }
        checkRecording(status, before: before, chatAnswered: chat, into: &report)
        await checkExperts(&report)
        await checkStream(&report)
        if let promptTokens { await checkPrompts(promptTokens, into: &report) }
        // Report in the order a reader expects.
        let order = ["server", "model", "instance", "recording", "experts", "chat", "clock", "stream", "prompts"]
        report.lines.sort { (order.firstIndex(of: $0.name) ?? 99) < (order.firstIndex(of: $1.name) ?? 99) }
        return report
    }

    private func checkServer(_ report: inout CheckReport) async -> Bool {
        // Any 2xx is healthy: ServerlessLLM answers {"status": "ok"}, vLLM's server an empty body.
        let response: HTTPResponse
        do throws(HTTPClientError) {
            response = try await session.transport.send(
                HTTPRequest(method: "GET", url: session.baseURL + "/health", timeout: timeout), onEvent: nil)
        } catch {
            report.add("server", .fail, "nothing answers at \(serverURL): \(error.message)")
            return false
        }
        if response.isSuccess {
            report.add("server", .ok, "reachable at \(serverURL)")
        } else {
            report.add("server", .warn, "answers at \(serverURL), but GET /health gave HTTP \(response.status)")
        }
        return true
    }

    private func checkModel(_ report: inout CheckReport) async -> Bool {
        guard let listing = await session.get("/v1/models", withModel: false).value else {
            report.add("model", .warn, "GET /v1/models failed; cannot tell whether \(model) is registered")
            return true
        }
        // ServerlessLLM lists under "models", vLLM's OpenAI server under "data".
        let entries = (listing["models"] ?? listing["data"])?.arrayValue ?? []
        let ids = entries.compactMap { $0["id"]?.stringValue }
        if ids.contains(model) {
            report.add("model", .ok, "\(model) is registered")
            return true
        }
        let known = ids.isEmpty ? "none" : ids.joined(separator: ", ")
        report.add("model", .fail, "\(model) is not registered (registered: \(known)); deploy it first")
        return false
    }

    private func checkRecording(
        _ status: ServerAnswer, before: ServerAnswer, chatAnswered: Bool, into report: inout CheckReport
    ) {
        let wasCold = RecordingRefusal.from(before) == .noReadyInstance
        switch status {
        case .ok(let s):
            let id = s["instance_id"]?.stringValue ?? "?"
            if wasCold {
                report.add("instance", .warn, "none was ready; the first request cold-started one (\(id))")
            } else {
                report.add("instance", .ok, "ready (instance \(id))")
            }
            if s["is_recording"]?.boolValue == true {
                report.add(
                    "recording", .warn,
                    "supported, but already on: another run may be recording this model (a run restarts it)")
            } else {
                report.add("recording", .ok, "batch recording supported (vllm_moecap backend)")
            }
        case .failed(let f):
            // The status route cannot tell about the instance here; the chat check can.
            let instance: (CheckReport.Outcome, String) =
                chatAnswered ? (.ok, "an instance answered the chat check") : (.skipped, "not checked")
            switch RecordingRefusal(f) {
            case .unsupportedBackend(let message):
                report.add("instance", instance.0, instance.1)
                report.add("recording", .fail, "\(message)")
            case .noReadyInstance:
                report.add(
                    "instance", .warn,
                    "no ready instance; the run's warm-up request will cold-start one"
                        + (chatAnswered ? "" : " (the chat check could not)"))
                report.add("recording", .warn, "unknown until an instance is ready")
            case .modelNotFound(let message):
                report.add("instance", instance.0, instance.1)
                report.add("recording", .fail, message)
            case .noRecordingRoutes:
                report.add("instance", instance.0, instance.1)
                report.add(
                    "recording", .fail,
                    "no batch-recording routes (HTTP 404): not ServerlessLLM's MoE-CAP integration")
            case .other(let failure):
                report.add("instance", instance.0, instance.1)
                report.add("recording", .fail, "GET /batch_recording_status failed: \(failure)")
            }
        }
    }

    private func checkExperts(_ report: inout CheckReport) async {
        let needed: CheckReport.Outcome = expertRecording ? .fail : .warn
        let suffix = expertRecording ? "" : " (only --enable-expert-recording needs it)"
        switch await session.get("/expert_distribution_status") {
        case .ok:
            report.add("experts", .ok, "expert-distribution recording supported")
        case .failed(let f):
            switch RecordingRefusal(f) {
            case .noReadyInstance:
                report.add("experts", .warn, "unknown until an instance is ready")
            case .unsupportedBackend(let message), .modelNotFound(let message):
                report.add("experts", needed, message + suffix)
            case .noRecordingRoutes:
                report.add("experts", needed, "no expert-distribution routes (HTTP 404)" + suffix)
            case .other(let failure):
                report.add("experts", needed, "GET /expert_distribution_status failed: \(failure)\(suffix)")
            }
        }
    }

    /// A one-token chat request, as the run's warm-up (cold-starts an idle model). Returns whether it worked.
    private func checkChat(_ report: inout CheckReport) async -> Bool {
        let clock = ContinuousClock()
        let start = clock.now
        let response: HTTPResponse
        do throws(HTTPClientError) {
            response = try await session.transport.send(
                HTTPRequest.post(
                    url: session.baseURL + "/v1/chat/completions", json: probe(stream: false), timeout: timeout),
                onEvent: nil)
        } catch {
            report.add("chat", .fail, "a one-token request failed: \(error)")
            return false
        }
        switch ChatResponseReader.read(response, start: start) {
        case .success(let reading):
            let took = start.duration(to: clock.now).inSeconds
            report.add("chat", .ok, String(format: "a one-token request was answered in %.2f s", took))
            if reading.simulated != nil {
                report.add("clock", .ok, "the server states simulated time: client figures in simulated seconds")
            } else {
                report.add("clock", .ok, "no simulated time stated: client figures on the wall clock")
            }
            return true
        case .failure(let f):
            report.add("chat", .fail, "a one-token request failed: \(f)")
            return false
        }
    }

    private func checkStream(_ report: inout CheckReport) async {
        let rejected: CheckReport.Outcome = stream ? .fail : .warn
        let advice = stream ? "; run without --stream" : " (only --stream needs it)"
        let start = ContinuousClock.now
        let response: HTTPResponse
        do throws(HTTPClientError) {
            response = try await session.transport.send(
                HTTPRequest.post(
                    url: session.baseURL + "/v1/chat/completions", json: probe(stream: true), timeout: timeout),
                onEvent: nil)
        } catch {
            report.add("stream", rejected, "a streamed request failed: \(error)\(advice)")
            return
        }
        if response.isSuccess, response.events.isEmpty,
            ServerAnswer.judge(status: response.status, body: response.body).value != nil
        {
            report.add("stream", rejected, "`stream` is ignored: the answer was not an event stream\(advice)")
            return
        }
        switch ChatResponseReader.read(response, start: start) {
        case .success:
            report.add("stream", .ok, "`stream: true` accepted (server-sent events)")
        case .failure(let f):
            report.add("stream", rejected, "`stream: true` not accepted: \(f.message)\(advice)")
        }
    }

    /// Compares the dataset's prompts with the deployment's `max_model_len` (docs/evaluator.md "Pre-flight
    /// check"): a prompt longer than it fails in vLLM, and on a real ServerlessLLM such a failure keeps its router
    /// slot for good, so `target` of them leave the instance full.
    private func checkPrompts(_ tokens: [Int], into report: inout CheckReport) async {
        guard let limit = await knownMaxModelLen() else {
            report.add(
                "prompts", .warn,
                "max_model_len unknown (the server does not list it): pass --max-model-len to compare the prompts")
            return
        }
        let over = tokens.filter { $0 > limit }
        guard let longest = tokens.max() else { return }
        if over.isEmpty {
            report.add(
                "prompts", .ok, "all \(tokens.count) prompts fit max_model_len \(limit) (longest ~\(longest) tokens)")
        } else {
            report.add(
                "prompts", .warn,
                "\(over.count) of \(tokens.count) prompts exceed max_model_len \(limit) (longest ~\(longest) tokens): vLLM "
                    + "refuses them, and on a real ServerlessLLM each such request keeps its router slot forever "
                    + "(the instance fills up after `target` of them)")
        }
    }

    /// `max_model_len`: given by the user, else listed by the server (vLLM's `/v1/models`, or fake-sllm's
    /// `/fake_sllm/info`).
    private func knownMaxModelLen() async -> Int? {
        if let maxModelLen { return maxModelLen }
        if let listing = await session.get("/v1/models", withModel: false).value {
            let entries = (listing["models"] ?? listing["data"])?.arrayValue ?? []
            if let n = entries.first(where: { $0["id"]?.stringValue == model })?["max_model_len"]?.intValue {
                return n
            }
        }
        if let info = await session.get("/fake_sllm/info", withModel: false).value {
            let deployments = info["deployments"]?.arrayValue ?? []
            return deployments.first(where: { $0["model"]?.stringValue == model })?["max_model_len"]?.intValue
        }
        return nil
    }

    /// The probe body: one token, as small as a request gets.
    private func probe(stream: Bool) -> JSONValue {
        var body = JSONObject([
            ("model", .string(model)), ("messages", [["role": "user", "content": "Hello"]]), ("max_tokens", 1),
        ])
        if stream {
            body["stream"] = true
            body["stream_options"] = ["include_usage": true]
        }
        return .object(body)
    }
}

extension RecordingRefusal {
    /// The refusal a status answer carries, if it failed.
    static func from(_ answer: ServerAnswer) -> RecordingRefusal? { answer.failure.map(RecordingRefusal.init) }
}
