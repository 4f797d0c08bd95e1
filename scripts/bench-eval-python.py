#!/usr/bin/env python3
"""Python stand-ins for ServerlessLLM's evaluate_moecap.py, for `make bench-eval`'s CPU comparison.

Both stand-ins do the original script's client-side work on the wire and on disk, written for this project from
the seed README's description and the script's flow (docs/evaluator.md "Flow"): a warm-up request and the
recording routes with `requests`, every dataset request at once through one `aiohttp.ClientSession` (its default
connector: 100 connections) under `tqdm_asyncio.gather`, then a pass over the dumped batch records, answer
extraction with regular expressions, and the result files written with `json.dump(indent=2)`. MoE-CAP itself
(its loaders and metric code) is not on PyPI, so the records pass and the extraction are simple equivalents.

They differ in how the items are loaded and prepared (docs/evaluator.md "The bench's Python stand-ins"):

- `light` (the default): the items are read with `json.loads` line by line and sent as the user message alone.
  Nothing else is imported. It is the smallest client that does the script's wire and file work.
- `moecap`: what MoE-CAP's side of the script does before sending. The items come through HuggingFace `datasets`
  (`load_dataset("json", data_files=...)`: MoE-CAP's GSM8K loader calls `load_dataset("openai/gsm8k", ...)`,
  which this machine cannot download, on the same library); the target is the loader's
  `re.search(r"####\\s*([0-9,.-]+)", answer)`; each prompt is built as MoE-CAP's runner builds it,
  `tokenizer.apply_chat_template([system, user], add_generation_prompt=True, tokenize=False)` with the loader's
  system prompt, and counted with `len(tokenizer.encode(prompt))`; `transformers` is imported (the script reads
  the model's config through it). The request body is the script's: system "You are a helpful assistant." and
  the user message. The tokenizer is a byte-level BPE built by `--build-tokenizer` in the bench's temporary
  folder (trained on the dataset's text, a ChatML chat template set), because the HuggingFace hub is out of
  reach here. The real model's tokenizer (Qwen3: a 151k-token vocabulary and its merges) costs more to load
  and to run, so this stand-in is conservative: the script itself spends at least this much.

`--build-tokenizer` also loads the file once through `datasets`, so the timed run finds it in the cache, as the
script's runs after the first find GSM8K. Run both with HF_HUB_OFFLINE=1 (the bench does; the hub is out of reach).

Usage: bench-eval-python.py [--moecap TOKENIZER_DIR] DATA_JSONL SERVER_URL MODEL OUTPUT_DIR MAX_TOKENS
       bench-eval-python.py --build-tokenizer TOKENIZER_DIR DATA_JSONL
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
# MoE-CAP's GSM8K loader: its target pattern and its system prompt (docs/evaluator.md "The bench's Python
# stand-ins").
GSM8K_TARGET = re.compile(r"####\s*([0-9,.-]+)")
GSM8K_SYSTEM = ("Solve the math problem. End your response with a line of the form '#### <number>' containing only "
                "the final numeric answer (no units, no commas, no currency symbols).")
SCRIPT_SYSTEM = "You are a helpful assistant."
# ChatML, the format of Qwen's chat template.
CHAT_TEMPLATE = ("{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + "
                 "'<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}"
                 "{% endif %}")


def extract(text):
    m = HASHES.findall(text)
    if m:
        return m[-1].replace(",", "")
    m = NUMBER.findall(text)
    return m[-1].replace(",", "") if m else ""


def build_tokenizer(directory, data):
    """A byte-level BPE trained on the dataset's text, saved with a chat template (outside the timed run)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    texts = []
    for line in open(data):
        if line.strip():
            row = json.loads(line)
            texts += [row["question"], row["answer"]]
    texts += [GSM8K_SYSTEM, SCRIPT_SYSTEM]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    special = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tok.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=8192, special_tokens=special,
                                                       initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    fast.chat_template = CHAT_TEMPLATE
    fast.save_pretrained(directory)
    # Fills `datasets`' cache for this file, as any earlier run fills it for GSM8K: the timed run then reads the
    # prepared Arrow table, as the script's later runs do.
    import datasets
    datasets.load_dataset("json", data_files=data, split="train")


def load_light(data):
    rows = [json.loads(line) for line in open(data) if line.strip()]
    prompts = [r["question"] for r in rows]
    targets = [r["answer"].split("####")[-1].strip() for r in rows]
    return prompts, targets, [[{"role": "user", "content": p}] for p in prompts]


def load_moecap(data, tokenizer_dir):
    import datasets
    import transformers

    dataset = datasets.load_dataset("json", data_files=data, split="train")
    prompts = list(dataset["question"])
    targets = []
    for answer in dataset["answer"]:
        m = GSM8K_TARGET.search(answer)
        targets.append(m.group(1).replace(",", "") if m else "")
    tokenizer = transformers.AutoTokenizer.from_pretrained(tokenizer_dir)
    prompt_tokens = 0
    for q in prompts:
        messages = [{"role": "system", "content": GSM8K_SYSTEM}, {"role": "user", "content": q}]
        text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        prompt_tokens += len(tokenizer.encode(text))
    print(f"prompt tokens: {prompt_tokens}", file=sys.stderr)
    bodies = [[{"role": "system", "content": SCRIPT_SYSTEM}, {"role": "user", "content": p}] for p in prompts]
    return prompts, targets, bodies


async def send(session, url, model, messages, max_tokens):
    payload = {"model": model, "messages": messages, "max_tokens": max_tokens, "temperature": 0.0}
    try:
        async with session.post(url, json=payload) as response:
            response.raise_for_status()
            return await response.json()
    except Exception as e:  # the original logs and keeps going
        print(f"request failed: {e}", file=sys.stderr)
        return {}


async def run_all(url, model, bodies, max_tokens):
    async with aiohttp.ClientSession() as session:
        tasks = [send(session, url, model, m, max_tokens) for m in bodies]
        return await tqdm_asyncio.gather(*tasks, desc="Inference requests", file=sys.stderr)


def main():
    args = sys.argv[1:]
    if args[:1] == ["--build-tokenizer"]:
        build_tokenizer(args[1], args[2])
        return
    tokenizer_dir = None
    if args[:1] == ["--moecap"]:
        tokenizer_dir, args = args[1], args[2:]
    data, server, model, out_dir, max_tokens = args[:5]
    max_tokens = int(max_tokens)
    prompts, targets, bodies = load_moecap(data, tokenizer_dir) if tokenizer_dir else load_light(data)

    requests.post(f"{server}/v1/chat/completions",
                  json={"model": model, "messages": [{"role": "user", "content": "Hello"}], "max_tokens": 10})
    requests.post(f"{server}/start_batch_recording", json={"model": model}).raise_for_status()
    responses = asyncio.run(run_all(f"{server}/v1/chat/completions", model, bodies, max_tokens))
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
