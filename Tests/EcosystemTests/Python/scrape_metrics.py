"""Scrapes GET /metrics and parses it with prometheus_client's own text parser; prints one JSON object:
{family: {"type", "samples": {sample name with labels: value}}}. A parse failure raises (non-zero exit).

Usage: scrape_metrics.py BASE_URL
"""

import json
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def main():
    with urllib.request.urlopen(sys.argv[1] + "/metrics", timeout=30) as r:
        content_type = r.headers.get("Content-Type")
        text = r.read().decode()
    families = {}
    for f in text_string_to_metric_families(text):
        samples = {}
        for s in f.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
            samples[f"{s.name}{{{labels}}}"] = s.value
        families[f.name] = {"type": f.type, "samples": samples}
    print(json.dumps({"content_type": content_type, "families": families}))


if __name__ == "__main__":
    main()
