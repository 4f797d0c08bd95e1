import MoECore

/// The evaluator's entry point for datasets: rows from a source, parsed, cut to the sample count, and turned
/// into fixed-length prompts when asked.
enum DatasetLoader {
    /// Loads `kind` from `source`.
    /// - Parameters:
    ///   - numSamples: keep the first N items (all when nil); in fixed-length mode, the number of prompts
    ///     (overriding `fixedLength.numSamples`).
    ///   - subset: LongBench-v2's `sub_domain` filter (MoE-CAP's `dataset_subset`).
    ///   - fixedLength: make fixed-length prompts from the dataset's inputs (docs/evaluator.md "MoE-CAP details"). For a
    ///     preset, pass `preset.base` as `kind` and `preset.spec`. Without any dataset, use
    ///     `Dataset(fixedLength:base: nil)`, which takes the synthetic paragraph.
    /// - Throws: ``DatasetFileError`` for file problems, ``DatasetError`` for content and argument problems;
    ///   both describe themselves in one line.
    static func load(
        kind: DatasetKind, source: DatasetSource, numSamples: Int? = nil, subset: String? = nil,
        fixedLength: FixedLengthSpec? = nil
    ) throws -> Dataset {
        let rows: DatasetRows
        switch source {
        case .file(let path): rows = try DatasetFile.rows(atPath: path)
        case .rows(let values, let origin): rows = DatasetRows(origin: origin, values: values)
        }
        guard var spec = fixedLength else {
            return try Dataset(kind: kind, rows: rows, numSamples: numSamples, subset: subset)
        }
        if let numSamples { spec.numSamples = numSamples }
        return try Dataset(fixedLength: spec, base: Dataset(kind: kind, rows: rows, subset: subset))
    }
}
