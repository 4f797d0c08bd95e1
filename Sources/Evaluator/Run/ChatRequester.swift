import Foundation
import MoECore
import Synchronization

/// Sends one chat request and turns the answer into a ``RequestOutcome`` (JSON or SSE).
struct ChatRequester: Sendable {
    let client: HTTPClient
    let url: String
    let retry: RetryPolicy
    let timeout: Duration
    let stream: Bool

    func run(index: Int, payload: JSONValue, runStart: ContinuousClock.Instant) async -> RequestOutcome {
        var body = payload
        if stream, case .object(var o) = body {
            o["stream"] = true
            o["stream_options"] = ["include_usage": true]
            body = .object(o)
        }
        let request = HTTPRequest.post(url: url, json: body, timeout: timeout)
        let start = ContinuousClock.now
        var outcome = RequestOutcome(
            index: index, response: nil, text: "", error: nil, startOffset: seconds(runStart.duration(to: start)))
        let response: HTTPResponse
        do throws(HTTPClientError) {
            response = try await client.send(request, retrying: retry)
        } catch {
            outcome.error = error.description
            return outcome
        }
        outcome.e2e = seconds(start.duration(to: response.endTime))
        if stream, response.isSuccess, !response.events.isEmpty {
            assemble(response, start: start, into: &outcome)
        } else {
            switch ServerSession.judge(status: response.status, body: response.body) {
            case .failed(let f):
                outcome.error = f.description
                outcome.e2e = nil
            case .ok(let json):
                outcome.response = json
                let choice = json["choices"]?.arrayValue?.first
                outcome.text = choice?["message"]?["content"]?.stringValue ?? choice?["text"]?.stringValue ?? ""
                outcome.promptTokens = json["usage"]?["prompt_tokens"]?.intValue
                outcome.completionTokens = json["usage"]?["completion_tokens"]?.intValue
            }
        }
        return outcome
    }

    /// Builds the outcome of an SSE answer: text from the deltas, a time per content chunk, usage if sent.
    private func assemble(_ response: HTTPResponse, start: ContinuousClock.Instant, into outcome: inout RequestOutcome)
    {
        var text = ""
        var finish: JSONValue = .null
        var usage: JSONValue?
        var id: JSONValue = .null
        var model: JSONValue = .null
        var created: JSONValue = .null
        var chunks = 0
        for timed in response.events where !timed.event.isDone {
            guard let json = try? JSONValue.parse(timed.event.data) else { continue }
            if let error = json["error"], !error.isNull {
                outcome.error = error["message"]?.stringValue ?? error.stringValue ?? error.serialized()
                outcome.e2e = nil
                return
            }
            id = json["id"] ?? id
            model = json["model"] ?? model
            created = json["created"] ?? created
            if let u = json["usage"], !u.isNull { usage = u }
            guard let choice = json["choices"]?.arrayValue?.first else { continue }
            if let f = choice["finish_reason"], !f.isNull { finish = f }
            if let piece = choice["delta"]?["content"]?.stringValue, !piece.isEmpty {
                text += piece
                chunks += 1
                let t = seconds(start.duration(to: timed.time))
                if outcome.ttft == nil { outcome.ttft = t }
                outcome.tokenTimes.append(t)
            }
        }
        outcome.text = text
        outcome.promptTokens = usage?["prompt_tokens"]?.intValue
        outcome.completionTokens = usage?["completion_tokens"]?.intValue ?? chunks
        outcome.response = .object(
            JSONObject([
                ("id", id), ("object", "chat.completion"), ("created", created), ("model", model),
                (
                    "choices",
                    [
                        .object(
                            JSONObject([
                                ("index", 0), ("message", ["role": "assistant", "content": .string(text)]),
                                ("logprobs", .null), ("finish_reason", finish),
                            ]))
                    ]
                ),
                ("usage", usage ?? .null),
            ]))
    }
}

/// Seconds of a duration.
func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}
