"""Drives a fake-sllm in the OpenAI mode with the official openai SDK, unchanged, as a user would, and prints one
JSON object of what each call returned (the Swift test judges it).

Usage: openai_clients.py BASE_URL MODEL
"""

import json
import sys

import openai


def main():
    base, model = sys.argv[1], sys.argv[2]
    client = openai.OpenAI(base_url=base + "/v1", api_key="unused", max_retries=0)
    messages = [{"role": "user", "content": "What is 6 times 7?"}]
    out = {"openai_version": openai.__version__}

    # Plain chat with the parameters the SDK's users send (max_completion_tokens, user, seed, stop, n).
    r = client.chat.completions.create(
        model=model, messages=messages, max_completion_tokens=12, user="eco-test", seed=7, stop=["\n\n"], n=2,
        temperature=0.8, response_format={"type": "text"})
    out["chat"] = {
        "object": r.object, "choices": len(r.choices), "content": r.choices[0].message.content,
        "role": r.choices[0].message.role, "finish_reason": r.choices[0].finish_reason,
        "usage": r.usage.model_dump() if r.usage else None}

    # Streamed chat with usage, also on every chunk (vLLM's continuous_usage_stats via extra_body).
    chunks, content, usage, finish = 0, "", None, None
    stream = client.chat.completions.create(
        model=model, messages=messages, max_completion_tokens=10, stream=True,
        stream_options={"include_usage": True}, extra_body={"min_tokens": 2})
    for c in stream:
        chunks += 1
        if c.choices:
            content += c.choices[0].delta.content or ""
            finish = c.choices[0].finish_reason or finish
        if c.usage:
            usage = c.usage.model_dump()
    out["chat_stream"] = {"chunks": chunks, "content": content, "finish_reason": finish, "usage": usage}

    # Log-probabilities.
    r = client.chat.completions.create(
        model=model, messages=messages, max_completion_tokens=4, logprobs=True, top_logprobs=2)
    lp = r.choices[0].logprobs
    out["chat_logprobs"] = {"tokens": len(lp.content), "top": len(lp.content[0].top_logprobs)}

    # Models.
    out["models"] = [m.id for m in client.models.list()]

    # Text completions, whole and streamed.
    r = client.completions.create(model=model, prompt="Once upon a time", max_tokens=8, user="eco-test")
    out["completion"] = {
        "object": r.object, "text": r.choices[0].text, "finish_reason": r.choices[0].finish_reason,
        "usage": r.usage.model_dump() if r.usage else None}
    chunks, text = 0, ""
    for c in client.completions.create(model=model, prompt="Once upon a time", max_tokens=6, stream=True):
        chunks += 1
        text += c.choices[0].text if c.choices else ""
    out["completion_stream"] = {"chunks": chunks, "text": text}

    # A bad value: vLLM's 400 body surfaces as the SDK's BadRequestError.
    try:
        client.chat.completions.create(model=model, messages=messages, temperature=-1)
        out["bad_request"] = None
    except openai.BadRequestError as e:
        out["bad_request"] = {"status": e.status_code, "message": e.message, "body": e.body}
    try:
        client.chat.completions.create(model="no-such-model", messages=messages)
        out["not_found"] = None
    except openai.NotFoundError as e:
        out["not_found"] = {"status": e.status_code, "body": e.body}

    print(json.dumps(out))


if __name__ == "__main__":
    main()
