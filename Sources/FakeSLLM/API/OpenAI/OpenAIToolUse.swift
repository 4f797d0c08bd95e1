import MoECore
import SimEngine

/// A chat request's `tools`, `tool_choice` and `response_format`, read and checked as vLLM 0.11 reads them
/// (docs/openai-mode.md "Structured outputs and tools"): `ChatCompletionRequest.check_tool_usage` (`tool_choice`
/// defaults to `auto` when tools are given; `none` drops the tools), then `serving_chat`'s refusal of `auto`
/// without `--enable-auto-tool-choice`. Decides what the simulated model writes: plain text, a JSON document
/// (``JSONSchemaSample``), a named function's arguments, the `required` list of calls, or (auto) a seeded choice
/// between a tool call and text.
struct OpenAIToolUse: Sendable {
    /// One `{"type": "function", "function": {name, parameters}}` entry of `tools`.
    struct Tool: Sendable {
        var name: String
        var parameters: JSONValue
    }

    enum Choice: Sendable, Equatable {
        case none, auto, required
        case named(String)
    }

    var tools: [Tool] = []
    var choice: Choice = .none
    /// `response_format`: nil (text), or the schema a JSON answer follows (`json_object`: nil schema).
    var json: JSONValue??

    /// Reads the three fields of `body`.
    /// - Throws: vLLM's validation texts.
    init(body: JSONObject, schema: String) throws(OpenAIError) {
        if let rf = body["response_format"], !rf.isNull {
            switch rf["type"]?.stringValue {
            case "json_object"?: json = .some(nil)
            case "json_schema"?: json = .some(rf["json_schema"]?["schema"] ?? rf["json_schema"]?["json_schema"])
            default: break
            }
        }
        if let list = body["tools"], !list.isNull {
            guard let items = list.arrayValue else {
                throw .validation(schema, "tools", "Input should be a valid list", type: "list_type")
            }
            for (i, item) in items.enumerated() {
                guard let name = item["function"]?["name"]?.stringValue else {
                    throw .validation(schema, "tools.\(i).function.name", "Field required", type: "missing")
                }
                tools.append(Tool(name: name, parameters: item["function"]?["parameters"] ?? ["type": "object"]))
            }
        }
        guard let raw = body["tool_choice"] else {
            // No tool_choice: auto when tools are given.
            choice = tools.isEmpty ? .none : .auto
            return
        }
        if raw.isNull { return }
        if raw.stringValue == "none" {
            choice = .none
            tools = []
            return
        }
        let tc = raw
        guard body["tools"].map({ !$0.isNull }) ?? false else {
            throw .valueError(schema, "When using `tool_choice`, `tools` must be set.")
        }
        let usage = #"Correct usage: `{"type": "function", "function": {"name": "my_function"}}`"#
        switch tc {
        case .string("auto"): choice = .auto
        case .string("required"):
            // OpenAI's behaviour: required with an empty list acts as none.
            choice = tools.isEmpty ? .none : .required
        case .object:
            guard let function = tc["function"], case .object = function else {
                throw .valueError(
                    schema,
                    "Invalid value for `function`: `\(tc["function"].map(Self.pythonRepr) ?? "None")` in "
                        + "`tool_choice`! \(usage)")
            }
            guard let nameValue = function["name"] else {
                throw .valueError(schema, "Expected field `name` in `function` in `tool_choice`! \(usage)")
            }
            guard let name = nameValue.stringValue, !name.isEmpty else {
                throw .valueError(
                    schema, "Invalid `name` in `function`: `\(Self.pythonRepr(nameValue))` in `tool_choice`! \(usage)")
            }
            guard tools.contains(where: { $0.name == name }) else {
                throw .valueError(
                    schema, "The tool specified in `tool_choice` does not match any of the specified `tools`")
            }
            choice = .named(name)
        default:
            throw .valueError(
                schema,
                "Invalid value for `tool_choice`: \(tc.stringValue ?? Self.pythonRepr(tc))! "
                    + #"Only named tools, "none", "auto" or "required" are supported."#)
        }
    }

    /// vLLM's refusal of `auto` on a server started without `--enable-auto-tool-choice`.
    static let autoNeedsFlag =
        #""auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set"#

    /// Whether the simulated model writes something other than free text.
    var shapesAnswer: Bool { json != nil || choice != .none }

    /// The text the model writes, about `tokens` tokens long, for the given seed: the JSON document, the named
    /// function's arguments, `required`'s `[{"name", "parameters"}]` list, or (auto) with even odds a
    /// `<tool_call>` block or nil (free text).
    func text(tokens: Int, seed: UInt64) -> String? {
        var rng = SimRandom(seed: seed ^ 0x7007_1CA1)
        switch choice {
        case .named(let name):
            let tool = tools.first { $0.name == name }
            return JSONSchemaSample.text(schema: tool?.parameters, tokens: tokens, seed: rng.next())
        case .required:
            let tool = tools[rng.below(tools.count)]
            let head = #"[{"name":"# + JSONValue.string(tool.name).serialized() + #","parameters":"#
            let args = JSONSchemaSample.text(
                schema: tool.parameters, tokens: tokens - TokenEstimator.count(head + "}]"), seed: rng.next())
            return head + args + "}]"
        case .auto where !tools.isEmpty:
            guard rng.below(2) == 0 else { break }
            let tool = tools[rng.below(tools.count)]
            let head = "<tool_call>\n{\"name\": " + JSONValue.string(tool.name).serialized() + ", \"arguments\": "
            let tail = "}\n</tool_call>"
            // The call fits the length the model would have written, so it is never cut mid-way.
            let args = JSONSchemaSample.text(
                schema: tool.parameters, tokens: tokens - TokenEstimator.count(head + tail), seed: rng.next())
            return head + args + tail
        default: break
        }
        if let json { return JSONSchemaSample.text(schema: json, tokens: tokens, seed: rng.next()) }
        return nil
    }

    /// The calls in a finished answer, as vLLM's response carries them: (name, arguments as `json.dumps` writes
    /// them), or nil when the answer is text (or was cut before it parsed, as vLLM then fails to parse it too).
    func calls(in text: String) -> [(name: String, arguments: String)]? {
        switch choice {
        case .named(let name):
            return [(name, text)]
        case .required:
            guard let list = try? JSONValue.parse(text).arrayValue else { return nil }
            return list.compactMap { c in
                c["name"]?.stringValue.map { ($0, (c["parameters"] ?? .object(JSONObject())).serialized()) }
            }
        case .auto:
            guard text.hasPrefix("<tool_call>"), text.hasSuffix("</tool_call>") else { return nil }
            let inner = text.dropFirst("<tool_call>".count).dropLast("</tool_call>".count)
            guard let call = try? JSONValue.parse(String(inner)), let name = call["name"]?.stringValue else {
                return nil
            }
            return [(name, (call["arguments"] ?? .object(JSONObject())).serialized())]
        case .none:
            return nil
        }
    }

    /// Python's `repr` of a JSON value in an error text (strings quoted with `'`).
    private static func pythonRepr(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return "'\(s)'"
        case .null: return "None"
        case .bool(let b): return b ? "True" : "False"
        default: return v.serialized()
        }
    }
}
