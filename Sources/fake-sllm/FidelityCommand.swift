import ArgumentParser
import FakeSLLM
import Foundation
import MoECore
import SimEngine

/// `fake-sllm fidelity`: replay the calibration targets V1 and V4 in-process and print predicted vs measured.
struct FidelityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fidelity",
        abstract: "Replay the published measurements V1 and V4 in-process and print the simulator's error.",
        discussion: """
            V1: Mixtral-8x7B on 2×H100 (TP2), max_num_seqs 128, max_num_batched_tokens 2048, ~571-token \
            shared-prefix prompts, 245 output tokens, constant 8 then 20 req/s. V4: Qwen3-30B-A3B on 1×H100, \
            2048 in / 1024 out, 100 prompts, concurrency 10. Rows marked "calibrated" are held to ±10 %.
            """)

    @Option(help: "Seconds of each V1 stage (the measurement ran 600 s each).")
    var v1StageSeconds: Double = 600

    @Option(help: "Expert routing: uniform, zipf (default, calibrated) or zipf:EXPONENT.")
    var routing: String = "zipf"

    @Option(help: "JSON file overriding calibration constants.")
    var calibration: String?

    @Option(help: "Seed.")
    var seed: UInt64 = 0

    @Flag(help: "Print the rows as JSON instead of a table.")
    var json = false

    @Flag(help: "Exit with status 1 when a calibrated figure is off by more than 10 %.")
    var check = false

    func validate() throws {
        guard v1StageSeconds >= 10, v1StageSeconds.isFinite else {
            throw ValidationError("--v1-stage-seconds must be at least 10")
        }
    }

    func run() throws {
        let rows: [FidelityRow]
        do {
            var cal = Calibration()
            if let path = calibration {
                cal = try Calibration(json: try SimulateFiles.readJSON(path, what: "calibration"))
            }
            let route = try RoutingConfig(parsing: routing)
            rows = try FidelityReplay.run(v1StageSeconds: v1StageSeconds, calibration: cal, routing: route, seed: seed)
        } catch {
            FileHandle.standardError.write(Data("fake-sllm fidelity: error: \(error)\n".utf8))
            throw ExitCode.failure
        }
        if json {
            print(FidelityReplay.json(rows).serialized(indent: 2))
        } else {
            print("V1 stages: \(v1StageSeconds) s each (measured: 600 s); routing \(routing)")
            print(FidelityReplay.table(rows))
            let worst = rows.filter(\.calibrated).map { abs($0.errorPercent) }.max() ?? 0
            print("largest calibrated error: \(Int(worst.rounded())) % (target ±10 %)")
        }
        if check, rows.contains(where: { $0.calibrated && abs($0.errorPercent) > 10 }) { throw ExitCode.failure }
    }
}
