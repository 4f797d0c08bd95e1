import Foundation
import MoECore
import Testing

/// `fake-sllm sweep`, `fidelity --step-check` and `--calibration`, run as a user runs them.
@Suite(.serialized) struct CalibrationAndSweepEndToEndTests {
    @Test func sweepWritesCSVJSONAndChart() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-e2e-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try Binaries.run(
            "fake-sllm",
            [
                "sweep", "--quiet", "--models", "Qwen/Qwen3-30B-A3B", "--gpu-types", "H100,H200", "--tp", "1,2",
                "--workload", "tiny,requests=16,prompt=100,output=8", "--out", dir,
            ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("sweep: 4 points (4 ran, 0 could not)"))
        let csv = try String(contentsOfFile: dir + "/sweep.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 5)
        let json = try JSONValue.parse(try String(contentsOfFile: dir + "/sweep.json", encoding: .utf8))
        #expect(json["points"]?.arrayValue?.count == 4)
        #expect(json["points"]?.arrayValue?[1]["calibration_source"]?.stringValue == "published-calibrated")
        #expect(json["points"]?.arrayValue?[2]["calibration_source"]?.stringValue == "measured")
        #expect(try String(contentsOfFile: dir + "/sweep.html", encoding: .utf8).contains("<svg"))
    }

    @Test func badSweepInputGivesOneLineAndNonZeroExit() throws {
        for args in [["--gpu-types", "Z9"], ["--tp", "0"], ["--workload", "x,bogus=1"]] {
            let r = try Binaries.run("fake-sllm", ["sweep", "--out", "/nonexistent-dir/x"] + args)
            #expect(r.status != 0, "\(args)")
            #expect(r.stderr.split(separator: "\n").count <= 2, "\(args): \(r.stderr)")
        }
    }

    @Test func fidelityShowsProfilesAndTheHeldOutCheck() throws {
        let check = Binaries.fixture("calibration/NVIDIA-H200-140GB.step-check.json")
        let r = try Binaries.run(
            "fake-sllm", ["fidelity", "--v1-stage-seconds", "10", "--step-check", check], timeout: 300)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("NVIDIA-H200-140GB") && r.stdout.contains("measured"))
        #expect(r.stdout.contains("published-calibrated") && r.stdout.contains("datasheet-only"))
        #expect(r.stdout.contains("TP 2: before median"))
        let j = try Binaries.run(
            "fake-sllm", ["fidelity", "--v1-stage-seconds", "10", "--step-check", check, "--json"], timeout: 300)
        let doc = try JSONValue.parse(j.stdout)
        #expect((doc["step_check"]?["after_worst_error_percent"]?.doubleValue ?? 100) <= 25)
    }

    @Test func calibrationFileChangesSimulatedTimesOnItsGPUOnly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cal-e2e-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/slow.json"
        try #"{"_gpu": "H200", "layer_overhead_graph_s": 0.001}"#.write(toFile: file, atomically: true, encoding: .utf8)
        func tpot(_ gpu: String, _ extra: [String]) throws -> (Double, String) {
            let r = try Binaries.run(
                "fake-sllm",
                ["simulate", "--model", "Qwen/Qwen3-30B-A3B", "--gpu", gpu, "--requests", "8", "--output-tokens", "16"]
                    + extra)
            #expect(r.status == 0, "\(r.stderr)")
            let s = try JSONValue.parse(r.stdout)
            return (s["tpot_mean_s"]?.doubleValue ?? 0, s["calibration_source"]?.stringValue ?? "")
        }
        let (h200, src) = try tpot("H200", [])
        let (slow, fileSrc) = try tpot("H200", ["--calibration", file])
        let (h100, _) = try tpot("H100", [])
        let (h100File, h100Src) = try tpot("H100", ["--calibration", file])
        #expect(src == "measured" && fileSrc == "file" && h100Src == "published-calibrated")
        #expect(slow > h200 * 5)
        #expect(h100File == h100)
        let bad = try Binaries.run("fake-sllm", ["serve", "--calibration", dir + "/missing.json"])
        #expect(bad.status != 0)
    }
}
