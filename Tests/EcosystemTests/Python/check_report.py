"""Loads an HTML report in headless Chromium over the DevTools protocol (pipe transport, standard library only)
and prints a JSON verdict: console errors, uncaught exceptions and log errors seen while loading, and for every
chart (<svg class="chart">) how many of its <path> elements have a non-empty, finite geometry; every tick label
(<text class="tick"> in any <svg>) with whether it reads as a finite number and lies inside its picture; and every
plotted point (<circle class="point">) with its hover label (<title>).

Usage: check_report.py REPORT.html [--screenshot OUT.png] [--chromium PATH]
Exit status: 0 when the page loaded (the caller judges the verdict), 2 on a browser failure.
"""

import argparse
import base64
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

CHECK_CHARTS = r"""
JSON.stringify(Array.from(document.querySelectorAll('svg.chart')).map(svg => {
  const paths = Array.from(svg.querySelectorAll('path.mark'));
  const drawn = paths.filter(p => {
    const d = p.getAttribute('d') || '';
    if (!d.trim()) return false;
    const box = p.getBBox();
    const length = p.getTotalLength();
    return isFinite(length) && (length > 0 || box.width > 0 || box.height > 0);
  });
  const r = svg.getBoundingClientRect();
  return {id: svg.id, marks: paths.length, drawn: drawn.length, width: r.width, height: r.height};
}))
"""

CHECK_LABELS = r"""
JSON.stringify({
  ticks: Array.from(document.querySelectorAll('svg text.tick')).map(t => {
    const svg = t.ownerSVGElement.getBoundingClientRect();
    const r = t.getBoundingClientRect();
    const text = t.textContent.trim();
    const value = Number(text.replace(/[^0-9eE.+-]/g, ''));
    return {svg: t.ownerSVGElement.id, text: text, finite: text !== '' && isFinite(value),
            inside: r.width > 0 && r.left >= svg.left - 0.5 && r.right <= svg.right + 0.5 &&
                    r.top >= svg.top - 0.5 && r.bottom <= svg.bottom + 0.5};
  }),
  points: Array.from(document.querySelectorAll('svg circle.point')).map(c => {
    const title = c.querySelector('title');
    return {svg: c.ownerSVGElement.id, label: title ? title.textContent : ''};
  })
})
"""


class Browser:
    def __init__(self, chromium):
        self.profile = tempfile.mkdtemp(prefix="report-check-")
        to_chrome_r, self.to_chrome_w = os.pipe()
        self.from_chrome_r, from_chrome_w = os.pipe()

        def child_fds():
            # Move both ends out of the way first: either may already sit on 3 or 4.
            r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
             "--remote-debugging-pipe", f"--user-data-dir={self.profile}", "--window-size=1360,1000"],
            preexec_fn=child_fds, close_fds=False,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL if not os.environ.get("REPORT_CHECK_DEBUG") else None)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_chrome_w, json.dumps(message).encode() + b"\0")
        want = self.next_id
        while True:
            reply = self.read()
            if reply.get("id") == want:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def read(self, deadline=30.0):
        end = time.monotonic() + deadline
        while b"\0" not in self.buffer:
            if time.monotonic() > end:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self.from_chrome_r, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def wait_for(self, method, session, timeout=30.0):
        for e in self.events:
            if e.get("method") == method and e.get("sessionId") == session:
                return e
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            e = self.read(end - time.monotonic())
            self.events.append(e)
            if e.get("method") == method and e.get("sessionId") == session:
                return e
        raise TimeoutError(f"no {method}")

    def close(self):
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("report")
    ap.add_argument("--screenshot")
    ap.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = ap.parse_args()
    url = "file://" + os.path.abspath(args.report)
    browser = Browser(args.chromium)
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime.enable", "Log.enable", "Page.enable"):
            browser.send(domain, session=session)
        browser.send("Page.navigate", {"url": url}, session=session)
        browser.wait_for("Page.loadEventFired", session)
        charts = json.loads(browser.send(
            "Runtime.evaluate", {"expression": CHECK_CHARTS, "returnByValue": True},
            session=session)["result"]["value"])
        labels = json.loads(browser.send(
            "Runtime.evaluate", {"expression": CHECK_LABELS, "returnByValue": True},
            session=session)["result"]["value"])
        errors = []
        for e in browser.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
            elif m == "Runtime.exceptionThrown":
                errors.append(p.get("exceptionDetails", {}).get("text", "exception"))
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                errors.append(p["entry"].get("text", "error"))
        if args.screenshot:
            height = browser.send("Runtime.evaluate", {
                "expression": "document.documentElement.scrollHeight", "returnByValue": True},
                session=session)["result"]["value"]
            browser.send("Emulation.setDeviceMetricsOverride", {
                "width": 1360, "height": int(height), "deviceScaleFactor": 1, "mobile": False}, session=session)
            shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session)
            with open(args.screenshot, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
        print(json.dumps({"url": url, "errors": errors, "charts": charts, "ticks": labels["ticks"],
                          "points": labels["points"]}))
    except Exception as e:  # browser failure: say why
        print(f"check_report: {e}", file=sys.stderr)
        return 2
    finally:
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
