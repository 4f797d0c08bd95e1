import Foundation
import MoECore
import Testing

@testable import FakeSLLM
@testable import SimEngine
@testable import Sweep

/// `fake-sllm sweep`: the grid, the parallel runner, the outputs.
@Suite struct SweepTests {
    static let small = WorkloadSpec(
        name: "small",
        synthetic: SyntheticWorkload(count: 24, promptTokens: .fixed(120), outputTokens: .fixed(16)))

    @Test func theGridIsTheFullProductInAFixedOrder() {
        var grid = SweepGrid(
            models: ["a", "b"], gpuTypes: ["H100", "H200"], gpuCounts: [1, 2], maxNumSeqs: [64, 256],
            workloads: [.gsm8k, SweepTests.small])
        #expect(grid.points.count == 2 * 2 * 2 * 2 * 2)
        grid.kvCacheDtypes = ["auto", "fp8"]
        grid.enforceEager = [false, true]
        let points = grid.points
        #expect(points.count == 2 * 2 * 2 * 2 * 2 * 2 * 2)
        #expect(points.map(\.index) == Array(0..<128))
        #expect(points[0].kvCacheDtype == "auto" && !points[0].enforceEager && points[2].enforceEager)
        #expect(points[4].kvCacheDtype == "fp8")
        #expect(points[0].model == "a" && points[0].workload == 0 && points[1].workload == 1)
        #expect(points.last!.model == "b" && points.last!.gpuType == "H200" && points.last!.maxNumSeqs == 256)
        #expect(points.last!.kvCacheDtype == "fp8" && points.last!.enforceEager)
    }

    @Test func pointsRunInParallelDeterministicallyAndInfeasibleOnesAreReported() throws {
        var grid = SweepGrid(
            models: ["Qwen/Qwen3-30B-A3B", "mistralai/Mixtral-8x7B-v0.1"], gpuTypes: ["H100", "H200"],
            workloads: [SweepTests.small])
        grid.seed = 3
        let serial = SweepRunner.run(grid, jobs: 1)
        let parallel = SweepRunner.run(grid, jobs: 3)
        #expect(serial.count == 4)
        #expect(serial[0]["kv_cache_dtype"]?.stringValue == "auto" && serial[0]["enforce_eager"] == .bool(false))
        func strip(_ r: SweepRow) -> JSONValue {
            .object(JSONObject(r.columns.filter { $0.name != "wall_s" }.map { ($0.name, $0.value) }))
        }
        #expect(serial.map(strip) == parallel.map(strip))
        // Mixtral-8x7B's 87 GiB of weights do not fit one H100; they fit an H200.
        let mixtralH100 = serial[2]
        #expect(!mixtralH100.ok)
        #expect(mixtralH100["error"]?.stringValue?.contains("do not fit") == true)
        #expect(mixtralH100["output_throughput"] == nil)
        let ok = serial.filter(\.ok)
        #expect(ok.count == 3)
        for row in ok {
            #expect(row["requests"]?.intValue == 24)
            #expect(row["output_tokens"]?.intValue == 24 * 16)
            #expect((row["moecap_decoding_smbu"]?.doubleValue ?? 0) > 0)
            #expect((row["tpot_mean_s"]?.doubleValue ?? 0) > 0)
            // Every GPU here has a MoE-CAP price (under MoE-CAP's own spelling of the key).
            #expect((row["usd_per_million_output_tokens"]?.doubleValue ?? 0) > 0)
        }
        #expect(serial[0]["calibration_source"]?.stringValue == "published-calibrated")
        #expect(serial[1]["calibration_source"]?.stringValue == "measured")
        // Error rows keep the same columns, so the CSV stays rectangular.
        #expect(serial.allSatisfy { $0.columns.map(\.name) == serial[0].columns.map(\.name) })
    }

    @Test func aCalibrationFileAppliesToTheGPUItNames() throws {
        let json = try JSONValue.parse(#"{"_gpu": "NVIDIA-H200-140GB", "layer_overhead_graph_s": 0.01}"#)
        var grid = SweepGrid(models: ["Qwen/Qwen3-30B-A3B"], gpuTypes: ["H100", "H200"], workloads: [SweepTests.small])
        let base = SweepRunner.run(grid, jobs: 2)
        grid.calibration = try CalibrationOverride(path: "slow.json", json: json)
        let slow = SweepRunner.run(grid, jobs: 2)
        #expect(slow[0]["tpot_mean_s"] == base[0]["tpot_mean_s"])
        #expect(slow[0]["calibration_source"]?.stringValue == "published-calibrated")
        #expect(slow[1]["calibration_source"]?.stringValue == "file")
        #expect((slow[1]["tpot_mean_s"]?.doubleValue ?? 0) > (base[1]["tpot_mean_s"]?.doubleValue ?? 0) * 5)
        #expect(throws: (any Error).self) {
            _ = try CalibrationOverride(path: "x", json: try JSONValue.parse(#"{"_gpu": "nope"}"#))
        }
    }

    @Test func csvJSONAndChart() throws {
        let grid = SweepGrid(models: ["Qwen/Qwen3-30B-A3B"], gpuTypes: ["H100", "A100"], workloads: [SweepTests.small])
        let rows = SweepRunner.run(grid, jobs: 2)
        let csv = SweepOutput.csv(rows).split(separator: "\n")
        #expect(csv.count == 3)
        #expect(csv[0].hasPrefix("point,model,gpu,gpu_num,"))
        #expect(
            csv.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == rows[0].columns.count }
        )
        let json = SweepOutput.json(rows, description: ["points_total": 2])
        #expect(json["points"]?.arrayValue?.count == 2)
        let html = SweepChart.html(rows, title: "t <x>")
        #expect(html.contains("<svg") && html.contains("t &lt;x&gt;"))
        #expect(!html.contains("<script"))
        #expect(
            !html.contains("nan\"") && !html.contains(">nan<") && !html.contains("inf<"), "every coordinate is a number"
        )
        // Every point is labelled with its configuration.
        let circles = html.components(separatedBy: "<circle").dropFirst()
        #expect(circles.count >= 4)
        #expect(circles.allSatisfy { $0.contains("Qwen/Qwen3-30B-A3B on 1× ") && $0.contains("max_num_seqs") })
        #expect(html.contains("id=\"pareto-front\""))
        for row in rows {
            for name in ["truth_prefill_mbu", "truth_prefill_mfu", "truth_decoding_mbu", "truth_decoding_mfu"] {
                let truth = try #require(row[name]?.doubleValue, "\(name) in every row")
                #expect(truth > 0 && truth <= 1)
            }
        }
        #expect(
            csv[0].contains(",moecap_tpot_s,truth_prefill_mbu,truth_prefill_mfu,truth_decoding_mbu,truth_decoding_mfu,")
        )
    }

    @Test func paretoFrontCheapestFirst() {
        let pts: [(cost: Double, throughput: Double)] = [(1, 10), (2, 30), (1.5, 5), (3, 30), (4, 50), (0.5, 1)]
        #expect(ParetoFront.indices(pts) == [5, 0, 1, 4])
        #expect(ParetoFront.indices([]) == [])
    }

    @Test func logTicksAreDistinctNumbers() {
        for (a, b) in [(-2.3, 1.7), (2.1, 2.15), (0.30, 0.31), (-4.0, -3.99), (3.0, 3.5)] {
            let ticks = LogScatterPlot.ticks(a, b)
            #expect(ticks.count >= 2, "\(a)...\(b)")
            #expect(Set(ticks.map(\.1)).count == ticks.count, "\(ticks)")
            for (lv, text) in ticks {
                #expect(lv >= a && lv <= b)
                let v = try? #require(Double(text))
                #expect(v.map { abs(log10($0) - lv) < 0.05 } == true, "\(text) at \(lv)")
            }
        }
    }
}
