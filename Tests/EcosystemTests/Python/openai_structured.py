"""Structured outputs and tool calls through the official openai SDK, unchanged, against a fake-sllm in the OpenAI
mode (docs/openai-mode.md "Structured outputs and tools"); prints one JSON object of what each call returned (the
Swift test judges it).

Usage: openai_structured.py BASE_URL MODEL [--auto-tools]
"""

import json
import sys
from typing import List, Optional

import openai
from pydantic import BaseModel


class Step(BaseModel):
    explanation: str
    output: str


class MathAnswer(BaseModel):
    steps: List[Step]
    final_answer: int
    confident: bool
    note: Optional[str]


class GetWeather(BaseModel):
    city: str
    days: int


def main():
    base, model = sys.argv[1], sys.argv[2]
    auto_tools = "--auto-tools" in sys.argv
    client = openai.OpenAI(base_url=base + "/v1", api_key="unused", max_retries=0)
    messages = [{"role": "user", "content": "What is 6 times 7? Explain step by step."}]
    out = {}

    # parse() with a pydantic model: json_schema response_format, parsed and validated by the SDK.
    r = client.chat.completions.parse(model=model, messages=messages, response_format=MathAnswer,
                                      max_completion_tokens=400)
    parsed = r.choices[0].message.parsed
    out["parse"] = {"ok": isinstance(parsed, MathAnswer), "steps": len(parsed.steps) if parsed else None,
                    "completion_tokens": r.usage.completion_tokens, "finish_reason": r.choices[0].finish_reason}

    # json_object: any valid JSON object.
    r = client.chat.completions.create(model=model, messages=messages, response_format={"type": "json_object"},
                                       max_completion_tokens=200)
    out["json_object"] = {"is_object": isinstance(json.loads(r.choices[0].message.content), dict),
                          "completion_tokens": r.usage.completion_tokens}

    tools = [openai.pydantic_function_tool(GetWeather)]
    ask = [{"role": "user", "content": "What is the weather in Paris for the next three days?"}]

    # A named function: a real tool call whose arguments parse() validates against the model.
    r = client.chat.completions.parse(model=model, messages=ask, tools=tools,
                                      tool_choice={"type": "function", "function": {"name": "GetWeather"}})
    call = r.choices[0].message.tool_calls[0]
    out["named"] = {"name": call.function.name, "parsed": isinstance(call.function.parsed_arguments, GetWeather),
                    "id": call.id, "finish_reason": r.choices[0].finish_reason,
                    "content": r.choices[0].message.content}

    # required: one or more calls, arguments valid JSON for the tool.
    r = client.chat.completions.create(model=model, messages=ask, tools=tools, tool_choice="required")
    calls = r.choices[0].message.tool_calls or []
    out["required"] = {"calls": len(calls), "valid": all(
        GetWeather.model_validate_json(c.function.arguments) is not None for c in calls),
        "finish_reason": r.choices[0].finish_reason}

    # Streamed named call: the argument deltas join to valid arguments; one chunk per token.
    chunks, args, name, usage = 0, "", None, None
    stream = client.chat.completions.create(
        model=model, messages=ask, tools=tools, stream=True, stream_options={"include_usage": True},
        tool_choice={"type": "function", "function": {"name": "GetWeather"}})
    for c in stream:
        if c.usage:
            usage = c.usage.completion_tokens
        if not c.choices:
            continue
        chunks += 1
        for tc in c.choices[0].delta.tool_calls or []:
            name = tc.function.name or name
            args += tc.function.arguments or ""
    out["named_stream"] = {"name": name, "valid": GetWeather.model_validate_json(args) is not None,
                           "chunks": chunks, "completion_tokens": usage}

    # auto: vLLM's 400 without --enable-auto-tool-choice; with it, a tool call or text, seeded.
    kinds = []
    try:
        for seed in range(6):
            r = client.chat.completions.create(model=model, messages=ask, tools=tools, seed=seed, temperature=0.7,
                                               max_completion_tokens=64)
            m = r.choices[0]
            kinds.append("tool_calls" if m.message.tool_calls else "text")
            if m.message.tool_calls:
                GetWeather.model_validate_json(m.message.tool_calls[0].function.arguments)
                assert m.finish_reason == "tool_calls", m.finish_reason
        out["auto"] = {"status": 200, "kinds": kinds}
    except openai.BadRequestError as e:
        out["auto"] = {"status": e.status_code, "message": e.message, "body": e.body}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
