/// Why a dataset could not be built. Each description is one line, fit for a command-line error message.
package enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The dataset name is none of ``DatasetKind``'s.
    case unknownDataset(String)
    /// The prompt style name is none of ``PromptStyle``'s.
    case unknownPromptStyle(String)
    /// The fixed-length preset name is none of ``FixedLengthPreset``'s.
    case unknownFixedLengthPreset(String)
    /// The rows hold nothing at all.
    case noRows(origin: String)
    /// Every row was skipped; `firstProblem` says why the first one was.
    case noUsableRows(origin: String, skipped: Int, firstProblem: String)
    /// No row has the requested LongBench-v2 `sub_domain`; `available` lists the ones present.
    case noRowsInSubDomain(origin: String, subDomain: String, available: [String])
    /// A sample count below 1.
    case invalidSampleCount(Int)
    /// A fixed-length token count below 1 (`what` names the setting).
    case invalidTokenCount(what: String, value: Int)

    package var description: String {
        switch self {
        case .unknownDataset(let name):
            return "unknown dataset '\(name)'; valid names: \(DatasetKind.validNames)"
        case .unknownPromptStyle(let name):
            return "unknown prompt style '\(name)'; valid styles: \(PromptStyle.validNames)"
        case .unknownFixedLengthPreset(let name):
            return "unknown fixed-length preset '\(name)'; valid presets: \(FixedLengthPreset.validNames)"
        case .noRows(let origin):
            return "\(origin): no rows"
        case .noUsableRows(let origin, let skipped, let firstProblem):
            return "\(origin): none of the \(skipped) rows is usable (first: \(firstProblem))"
        case .noRowsInSubDomain(let origin, let subDomain, let available):
            return "\(origin): no row has sub_domain '\(subDomain)'; present: \(available.joined(separator: ", "))"
        case .invalidSampleCount(let n):
            return "the number of samples must be at least 1, got \(n)"
        case .invalidTokenCount(let what, let value):
            return "\(what) must be at least 1, got \(value)"
        }
    }
}
