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
        for tick in verdict["ticks"]?.arrayValue ?? [] {
            #expect(tick["finite"]?.boolValue == true && tick["inside"]?.boolValue == true, "\(tick.serialized())")
        }
        for chart in charts {
            let marks = chart["marks"]?.intValue ?? 0
            #expect(marks > 0 && chart["drawn"]?.intValue == marks, "empty paths in \(chart.serialized())")
            #expect((chart["width"]?.doubleValue ?? 0) > 100)
        }
    }

    /// `sweep.html` as a reader sees it: every tick label on both log axes is a finite number inside its picture,
    /// every point has a hover label naming its configuration, and the Pareto front is drawn and tabled.
    /// `SWEEP_SCREENSHOT=path` also saves a screenshot (how docs/sweep.png is made).
    @Test(.enabled("chromium could not be installed") { Chromium.available.path != nil })
    func sweepChartHasNumericTicksAndLabelledPoints() throws {
        let chromium = try #require(Chromium.available.path, "\(Chromium.available.why)")
        let out = Tool.tempDir()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let sweep = try Tool.built(
            "fake-sllm",
            [
                "sweep", "--quiet", "--models", "Qwen/Qwen3-30B-A3B,mistralai/Mixtral-8x7B-v0.1", "--gpu-types",
                "A100,H100", "--tp", "1,2,4", "--max-num-seqs", "32,256", "--workload",
                "small,requests=64,prompt=200,output=32", "--out", out,
            ], timeout: 300)
        #expect(sweep.status == 0, "\(sweep.stderr)")
        let page = out + "/sweep.html"
        var args = [Tool.path("Tests/EcosystemTests/Python/check_report.py"), page, "--chromium", chromium]
        if let shot = ProcessInfo.processInfo.environment["SWEEP_SCREENSHOT"] { args += ["--screenshot", shot] }
        let check = try Tool.run("/usr/bin/env", ["python3"] + args)
        #expect(check.status == 0, "\(check.stderr)")
        let verdict = try JSONValue.parse(check.stdout)
        #expect(verdict["errors"]?.arrayValue?.isEmpty == true, "console errors: \(check.stdout)")
        let ticks = try #require(verdict["ticks"]?.arrayValue)
        let plots = Set(ticks.compactMap { $0["svg"]?.stringValue })
        #expect(plots.isSuperset(of: ["sweep-cost", "sweep-tpot", "truth-moecap_decoding_smbu"]), "\(plots.sorted())")
        for plot in plots {
            #expect(ticks.filter { $0["svg"]?.stringValue == plot }.count >= 4, "ticks on both axes of \(plot)")
        }
        for tick in ticks {
            #expect(tick["finite"]?.boolValue == true, "tick label not a number: \(tick.serialized())")
            #expect(tick["inside"]?.boolValue == true, "tick label outside the picture: \(tick.serialized())")
        }
        let points = try #require(verdict["points"]?.arrayValue)
        #expect(
            points.filter { $0["svg"]?.stringValue == "sweep-tpot" }.count == 20,
            "24 points, Mixtral at TP 1 does not fit")
        for p in points {
            let label = p["label"]?.stringValue ?? ""
            #expect(label.contains(" on ") && label.contains("TP ") && label.contains("workload small"), "\(label)")
        }
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("id=\"pareto-front\"") && html.contains("class=\"frontier\""))
    }
}
