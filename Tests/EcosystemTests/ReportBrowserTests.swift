import Foundation
import MoECore
import Testing

/// `report.html` in a real browser (docs/report.md): a run against fake-sllm writes it, `moecap-eval report DIR`
/// rebuilds the same page from the files, and headless Chromium loads it with no console error and every chart
/// drawn.
@Suite(.serialized) struct ReportBrowserTests {
    @Test(.enabled("chromium could not be installed") { Chromium.available.path != nil })
    func runReportLoadsCleanInChromium() throws {
        let chromium = try #require(Chromium.available.path, "\(Chromium.available.why)")
        let server = try Server(["--no-wait", "--deploy", Tool.path("Fixtures/deploy/qwen3-30b-a3b-h100.json")])
        defer { server.stop() }
        let out = Tool.tempDir()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let run = try Tool.built(
            "moecap-eval",
            [
                "--model", "Qwen/Qwen3-30B-A3B", "--dataset", "gsm8k", "--data-file",
                Tool.path("Fixtures/datasets/gsm8k_sample.jsonl"), "--num-samples", "20", "--max-tokens", "64",
                "--stream", "--server-url", server.url, "--output-dir", out, "--quiet",
            ])
        #expect(run.status == 0, "\(run.stderr)")
        let page = out + "/report.html"
        let first = try String(contentsOfFile: page, encoding: .utf8)
        #expect(FileManager.default.fileExists(atPath: out + "/ground_truth.json"))

        // Rebuilt from the folder: the same page.
        try FileManager.default.removeItem(atPath: page)
        let rebuilt = try Tool.built("moecap-eval", ["report", out])
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        #expect(rebuilt.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == page)
        #expect(try String(contentsOfFile: page, encoding: .utf8) == first)
        #expect(!first.contains("<script"), "the report needs no script")
        #expect(!first.contains("src=") && !first.contains("href=\"http"), "the report loads nothing")

        let check = try Tool.run(
            "/usr/bin/env",
            ["python3", Tool.path("Tests/EcosystemTests/Python/check_report.py"), page, "--chromium", chromium])
        #expect(check.status == 0, "\(check.stderr)")
        let verdict = try JSONValue.parse(check.stdout)
        #expect(verdict["errors"]?.arrayValue?.isEmpty == true, "console errors: \(check.stdout)")
        let charts = try #require(verdict["charts"]?.arrayValue)
        let ids = Set(charts.compactMap { $0["id"]?.stringValue })
        for id in [
            "roofline", "batch-size", "step-latency", "expert-activation-steps", "dist-ttft", "dist-tpot", "dist-e2e",
        ] {
            #expect(ids.contains(id), "chart \(id) missing: \(ids.sorted())")
        }
        for chart in charts {
            let marks = chart["marks"]?.intValue ?? 0
            #expect(marks > 0 && chart["drawn"]?.intValue == marks, "empty paths in \(chart.serialized())")
            #expect((chart["width"]?.doubleValue ?? 0) > 100)
        }
    }
}
