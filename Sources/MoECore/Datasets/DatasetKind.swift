/// The datasets the evaluator knows, with where MoE-CAP loads each from (docs/moecap-metrics.md §10; the seed README's
/// "Supported Datasets").
package enum DatasetKind: String, CaseIterable, Sendable {
    /// Grade-school math word problems, `openai/gsm8k`.
    case gsm8k
    /// Competition math with chain-of-thought solutions, `AI-MO/NuminaMath-CoT`.
    case numinamath
    /// Long-context multiple choice, `THUDM/LongBench-v2`.
    case longbenchV2 = "longbench_v2"

    /// The dataset named `name`, compared case-insensitively as MoE-CAP's registry does (docs/moecap-metrics.md §10).
    /// - Throws: ``DatasetError/unknownDataset(_:)``, whose description lists the valid names.
    package init(parsing name: String) throws(DatasetError) {
        let lower = PythonText.strip(name).lowercased()
        guard let kind = DatasetKind(rawValue: lower) else { throw .unknownDataset(name) }
        self = kind
    }

    /// The valid names, comma-separated, for help texts and error messages.
    package static var validNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The Hugging Face dataset id.
    package var hubID: String {
        switch self {
        case .gsm8k: return "openai/gsm8k"
        case .numinamath: return "AI-MO/NuminaMath-CoT"
        case .longbenchV2: return "THUDM/LongBench-v2"
        }
    }

    /// The config MoE-CAP passes to `load_dataset`: gsm8k uses `subset or "main"`; the other two pass none.
    package func hubConfig(subset: String? = nil) -> String? {
        switch self {
        case .gsm8k: return subset ?? "main"
        case .numinamath, .longbenchV2: return nil
        }
    }

    /// The config to ask the datasets-server for, which always needs one: a dataset without named configs has
    /// the single config `default`.
    package func datasetsServerConfig(subset: String? = nil) -> String { hubConfig(subset: subset) ?? "default" }

    /// The split to download for a requested split (MoE-CAP's default is `test`). LongBench-v2 has only `train`,
    /// and its loader rewrites `test` to `train` (docs/moecap-metrics.md §10).
    package func hubSplit(requested: String = "test") -> String {
        if self == .longbenchV2, requested == "test" { return "train" }
        return requested
    }

    /// What the subset option means for this dataset: a gsm8k config name, a LongBench-v2 `sub_domain` filter;
    /// NuminaMath's loader ignores it.
    var subsetIsSubDomainFilter: Bool { self == .longbenchV2 }
}
