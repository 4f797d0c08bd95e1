#!/usr/bin/env python3
"""A Python stand-in for ServerlessLLM's evaluate_moecap.py, for `make bench-eval`'s CPU comparison.

It does the original script's client-side work on the wire and on disk, written for this project from the seed
README's description (docs/evaluator.md "Flow"): a warm-up request and the recording routes with `requests`,
every dataset request at once through one `aiohttp.ClientSession` (its default connector: 100 connections) under
`tqdm_asyncio.gather`, then a pass over the dumped batch records, answer extraction with regular expressions,
and the result files written with `json.dump(indent=2)`. MoE-CAP itself (the data loaders and the metric code)
is not on PyPI, so the records pass and the extraction are simple equivalents of theirs.

Usage: bench-eval-python.py DATA_JSONL SERVER_URL MODEL OUTPUT_DIR MAX_TOKENS
"""

import asyncio
import json
import os
import re
import sys

import aiohttp
import requests
from tqdm.asyncio import tqdm_asyncio

NUMBER = re.compile(r"(?<![\d.])(-?\d[\d,]*)")
HASHES = re.compile(r"####\s*\$?\s*(-?\d[\d,]*)")


def extract(text):
    m = HASHES.findall(text)
    if m:
        return m[-1].replace(",", "")
    m = NUMBER.findall(text)
    return m[-1].replace(",", "") if m else ""


async def send(session, url, model, prompt, max_tokens):
    payload = {"model": model, "messages": [{"role": "user", "content": prompt}], "max_tokens": max_tokens,
               "temperature": 0.0}
    try:
        async with session.post(url, json=payload) as response:
            response.raise_for_status()
            return await response.json()
    except Exception as e:  # the original logs and keeps going
        print(f"request failed: {e}", file=sys.stderr)
        return {}


async def run_all(url, model, prompts, max_tokens):
    async with aiohttp.ClientSession() as session:
        tasks = [send(session, url, model, p, max_tokens) for p in prompts]
        return await tqdm_asyncio.gather(*tasks, desc="Inference requests", file=sys.stderr)


def main():
    data, server, model, out_dir, max_tokens = sys.argv[1:6]
    max_tokens = int(max_tokens)
    rows = [json.loads(line) for line in open(data) if line.strip()]
    prompts = [r["question"] for r in rows]
    targets = [r["answer"].split("####")[-1].strip() for r in rows]

    requests.post(f"{server}/v1/chat/completions",
                  json={"model": model, "messages": [{"role": "user", "content": "Hello"}], "max_tokens": 10})
    requests.post(f"{server}/start_batch_recording", json={"model": model}).raise_for_status()
    responses = asyncio.run(run_all(f"{server}/v1/chat/completions", model, prompts, max_tokens))
    requests.post(f"{server}/stop_batch_recording", json={"model": model}).raise_for_status()
    batch = requests.post(f"{server}/dump_batch_recording", json={"model": model}).json()
    records = batch.get("records", batch.get("batches", []))

    # The continuous-batching pass: per-record sums and means over decode and prefill steps.
    sums = {"decode": [0, 0.0, 0], "prefill": [0, 0.0, 0]}
    for r in records:
        s = sums["decode" if r.get("forward_mode") == "decode" else "prefill"]
        s[0] += 1
        s[1] += float(r.get("latency", 0))
        s[2] += int(r.get("batch_size", 0))
    batch_metrics = {k: {"steps": n, "latency_s": t, "tokens": b} for k, (n, t, b) in sums.items()}

    outputs, correct = [], 0
    for prompt, target, response in zip(prompts, targets, responses):
        text = ""
        if response.get("choices"):
            choice = response["choices"][0]
            text = choice.get("message", {}).get("content", "") if "message" in choice else choice.get("text", "")
        answer = extract(text)
        correct += answer != "" and answer == target
        outputs.append({"prompt": prompt, "expected": target, "response": response})
    accuracy = {"exact_match": correct / max(len(prompts), 1), "correct": correct, "total": len(prompts)}

    model_dir = os.path.join(out_dir, model)
    os.makedirs(model_dir, exist_ok=True)
    files = {"cap_metrics_vllm_moecap_gsm8k.json": {"batch_metrics": batch_metrics, "accuracy_metrics": accuracy},
             "batch_data_vllm_moecap_gsm8k.json": batch, "inference_outputs_gsm8k.json": outputs,
             "config_vllm_moecap_gsm8k.json": {"model": model, "dataset": "gsm8k", "max_tokens": max_tokens}}
    for name, value in files.items():
        with open(os.path.join(model_dir, name), "w") as f:
            json.dump(value, f, indent=2)
    print(json.dumps({"requests": len(prompts), "records": len(records), "correct": correct}))


if __name__ == "__main__":
    main()
