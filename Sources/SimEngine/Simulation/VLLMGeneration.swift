/// The vLLM generation a validation row was measured on (docs/validation-suite.md "Older vLLM"): the issue's
/// suite is mostly vLLM 0.10 or newer, and rows of older releases are reported apart.
package enum VLLMGeneration: String, Sendable, CaseIterable, Equatable {
    /// vLLM 0.10.0 or newer: the V1 engine with the scheduler, CUDA graphs and kernels the simulator models.
    case current = "vLLM >= 0.10"
    /// vLLM before 0.10 (the V0 engine of 2024, early V1).
    case older = "vLLM < 0.10"

    /// The release date of vLLM 0.10.0: a row of unknown version dated before it ran an older vLLM.
    static let firstCurrentDate = "2025-07-24"

    /// The generation of a row from its stated version (`0.11.0`), or, where the version is `unknown`, from the
    /// run's ISO date; a row with neither counts as current.
    package init(version: String, date: String?) {
        if let release = Self.release(version) {
            self = (release.0, release.1) >= (0, 10) ? .current : .older
        } else if let date {
            self = date < Self.firstCurrentDate ? .older : .current
        } else {
            self = .current
        }
    }

    /// Major, minor and patch numbers of a stated version (`0.10.2`, `0.11.0rc1` → 0, 11, 0; a missing patch
    /// reads 0), nil for `unknown` or anything without two numbers.
    package static func release(_ version: String) -> (Int, Int, Int)? {
        let parts = version.split(separator: ".").map { Int($0.prefix { $0.isNumber }) }
        guard parts.count >= 2, let major = parts[0], let minor = parts[1] else { return nil }
        return (major, minor, parts.count > 2 ? parts[2] ?? 0 : 0)
    }
}
