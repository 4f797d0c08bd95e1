import EvaluatorClient
import MoECore

/// Reads a chat-completion answer into the parts a ``RequestOutcome`` keeps, validating its shape: a JSON answer
/// must be an object whose `choices[0]` holds `message.content` (or `text`) as a string; a streamed answer must be
/// well-formed `chat.completion.chunk` events ending with `data: [DONE]`. Anything else is a failure, never a
/// silent success (docs/evaluator.md "Judging answers").
///
/// Pure functions of the response; any thread.
enum ChatResponseReader {
    /// A successfully read completion.
    struct Reading: Sendable {
        var response: JSONValue
        var text: String
        var promptTokens: Int?
        var completionTokens: Int?
        /// Wall-clock seconds after `start` of each streamed content event.
        var tokenTimes: [Double] = []
        var simulated: SimulatedTiming?
    }

    /// Reads `response`: as an event stream when it carries events, else as one JSON completion.
    static func read(_ response: HTTPResponse, start: ContinuousClock.Instant) -> Result<Reading, ServerFailure> {
        if response.isSuccess, !response.events.isEmpty { return readStream(response, start: start) }
        switch ServerAnswer.judge(status: response.status, body: response.body) {
        case .failed(let f):
            return .failure(f)
        case .ok(let json):
            return readCompletion(json).map { reading in
                var r = reading
                r.simulated = SimulatedTiming.fromHeaders(response.headers)
                return r
            }
        }
    }

    /// A non-streamed `chat.completion` (or text completion) object.
    static func readCompletion(_ json: JSONValue) -> Result<Reading, ServerFailure> {
        guard let choices = json["choices"]?.arrayValue else {
            return .failure(malformed("answer has no 'choices' array"))
        }
        guard let choice = choices.first, choice.objectValue != nil else {
            return .failure(malformed("answer's 'choices' is empty or its first entry is not an object"))
        }
        let text: String
        if let message = choice["message"] {
            guard let content = message["content"]?.stringValue else {
                return .failure(malformed("choices[0].message.content is not a string"))
            }
            text = content
        } else if let t = choice["text"]?.stringValue {
            text = t
        } else {
            return .failure(malformed("choices[0] has neither message.content nor text"))
        }
        if choice["finish_reason"]?.stringValue == "abort" { return .failure(aborted) }
        let usage: (Int?, Int?)
        switch readUsage(json["usage"]) {
        case .failure(let f): return .failure(f)
        case .success(let u): usage = u
        }
        return .success(Reading(response: json, text: text, promptTokens: usage.0, completionTokens: usage.1))
    }

    /// `usage` is absent, null, or an object whose token counts (when present) are integers.
    static func readUsage(_ usage: JSONValue?) -> Result<(Int?, Int?), ServerFailure> {
        guard let usage, !usage.isNull else { return .success((nil, nil)) }
        guard usage.objectValue != nil else { return .failure(malformed("'usage' is not an object")) }
        var counts: [Int?] = []
        for key in ["prompt_tokens", "completion_tokens"] {
            guard let value = usage[key], !value.isNull else {
                counts.append(nil)
                continue
            }
            guard let n = value.intValue, n >= 0 else {
                return .failure(malformed("usage.\(key) is not a non-negative integer"))
            }
            counts.append(n)
        }
        return .success((counts[0], counts[1]))
    }

    /// An SSE answer: text from the deltas, a wall and a simulated time per content event, usage if sent.
    static func readStream(_ response: HTTPResponse, start: ContinuousClock.Instant) -> Result<Reading, ServerFailure> {
        var text = ""
        var finish: JSONValue = .null
        var usage: JSONValue?
        var id: JSONValue = .null
        var model: JSONValue = .null
        var created: JSONValue = .null
        var chunks = 0
        var wallTimes: [Double] = []
        var simTimes: [Double] = []
        var simFinish: Double?
        var sawDone = false
        for (n, timed) in response.events.enumerated() {
            if timed.event.isDone {
                sawDone = true
                continue
            }
            if sawDone { return .failure(malformed("event \(n + 1) follows data: [DONE]")) }
            guard let json = try? JSONValue.parse(timed.event.data), json.objectValue != nil else {
                return .failure(
                    malformed(
                        "stream event \(n + 1) is not a JSON object: \(ServerAnswer.excerpt(Array(timed.event.data.utf8)))"
                    ))
            }
            if let error = json["error"], !error.isNull {
                return .failure(
                    ServerFailure(
                        .errorAnswer, error["message"]?.stringValue ?? error.stringValue ?? error.serialized()))
            }
            id = json["id"] ?? id
            model = json["model"] ?? model
            created = json["created"] ?? created
            if let u = json["usage"], !u.isNull { usage = u }
            guard let choices = json["choices"]?.arrayValue else {
                if json["usage"] != nil { continue }
                return .failure(malformed("stream event \(n + 1) has no 'choices' array"))
            }
            guard let choice = choices.first else { continue }  // the usage chunk has "choices": []
            guard choice.objectValue != nil else {
                return .failure(malformed("stream event \(n + 1): choices[0] is not an object"))
            }
            let simTime = SimulatedTiming.eventTime(timed.event)
            if let f = choice["finish_reason"], !f.isNull {
                finish = f
                simFinish = simTime ?? simFinish
            }
            if let delta = choice["delta"], !delta.isNull {
                guard delta.objectValue != nil else {
                    return .failure(malformed("stream event \(n + 1): delta is not an object"))
                }
                if let content = delta["content"], !content.isNull {
                    guard let piece = content.stringValue else {
                        return .failure(malformed("stream event \(n + 1): delta.content is not a string"))
                    }
                    if !piece.isEmpty {
                        text += piece
                        chunks += 1
                        wallTimes.append(start.duration(to: timed.time).inSeconds)
                        if let simTime { simTimes.append(simTime) }
                    }
                }
            }
        }
        guard sawDone else { return .failure(malformed("stream ended without data: [DONE]")) }
        if finish.stringValue == "abort" { return .failure(aborted) }
        let counts: (Int?, Int?)
        switch readUsage(usage) {
        case .failure(let f): return .failure(f)
        case .success(let u): counts = u
        }
        let assembled: JSONValue = .object(
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
        var reading = Reading(
            response: assembled, text: text, promptTokens: counts.0, completionTokens: counts.1 ?? chunks,
            tokenTimes: wallTimes)
        // Simulated timing needs the arrival header and a time on every content event.
        if let arrival = SimulatedTiming.seconds(response.headers[SimulatedTiming.arrivalHeader]),
            simTimes.count == chunks
        {
            let end = simFinish ?? simTimes.last ?? arrival
            reading.simulated = SimulatedTiming(
                arrival: arrival, firstToken: simTimes.first, finish: end, tokenTimes: simTimes)
        }
        return .success(reading)
    }

    static func malformed(_ message: String) -> ServerFailure { ServerFailure(.malformed, message) }

    /// vLLM ends a request it gave up (engine shutdown, a cancelled request) with `finish_reason: "abort"`: what
    /// arrived is not an answer.
    static let aborted = ServerFailure(.errorAnswer, "the server aborted the request (finish_reason \"abort\")")
}
