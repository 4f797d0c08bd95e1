import ArgumentParser
import FakeSLLM
import Foundation
import MoECore
import SimEngine

/// The simulated engine's flags that `serve`, `simulate`, `sweep` and `fidelity` share: expert routing, seed and
/// calibration file, declared once (docs/architecture.md "Maintainer's walk-through").
struct EngineOptions: ParsableArguments {
    @Option(
        help: """
            Expert routing: uniform, zipf (exponent 1.0, the calibrated default), zipf:EXPONENT, or file:PATH (a \
            JSON file of token counts per MoE layer × expert; a bare PATH of an existing file also works).
            """,
        transform: RoutingArgument.init(parsing:))
    var routing: RoutingArgument?

    @Option(help: "Seed of every random choice: routing, generated text, workload. (default: 0)")
    var seed: UInt64?

    @Option(
        help: """
            Calibration JSON (e.g. the GPU probe's output, docs/calibration.md) applied over the GPU's profile; one \
            that names its "_gpu" applies to that GPU only.
            """)
    var calibration: String?

    /// The `--calibration` file, read and checked; nil without the flag.
    func calibrationOverride() throws -> CalibrationOverride? {
        guard let path = calibration else { return nil }
        return try CalibrationOverride(path: path, json: try SimulateFiles.readJSON(path, what: "calibration"))
    }
}

/// A `--routing` value: the text as given and the routing it names, parsed by the one grammar that deploy configs'
/// `fake_sllm.routing` strings use too (``RoutingSpec``).
struct RoutingArgument {
    /// The flag's text, as given.
    let text: String
    /// The routing it names.
    let config: RoutingConfig

    init(parsing text: String) throws {
        self.text = text
        config = try RoutingSpec.parse(text: FileManager.default.fileExists(atPath: text) ? "file:" + text : text)
    }
}

/// The simulated GPU, `--gpu` (old spellings `--gpu-type` and sweep's `--gpu-types`, hidden), shared by `serve`, `simulate` and `sweep`.
struct GPUOption: ParsableArguments {
    @Option(
        help: """
            Simulated GPU: an alias (H100, A100, H200, B200, MI300X, …) or a MoE-CAP key such as \
            NVIDIA-H100-HBM3-80GB. (default: H100)
            """)
    var gpu: String?

    @Option(name: [.customLong("gpu-type"), .customLong("gpu-types")], help: .hidden)
    var oldSpelling: String?

    /// The GPU given under either spelling.
    var value: String? { gpu ?? oldSpelling }

    /// The names given (comma-separated lists for `sweep`), each checked against the catalog.
    func validate() throws {
        for name in (value ?? "").split(separator: ",") where HardwareCatalog.gpu(named: String(name)) == nil {
            throw ValidationError("unknown --gpu '\(name)'; known: \(HardwareCatalog.acceptedNames)")
        }
    }
}

extension ServingMode: ExpressibleByArgument {}
extension APIMode: ExpressibleByArgument {}
