/// A loaded dataset: the items to send, the warnings met while reading them, and what the requests need to know.
package struct Dataset: Sendable {
    /// The dataset the items come from; nil for fixed-length prompts made from the synthetic paragraph.
    package var kind: DatasetKind?
    /// The items, indexed from 0.
    package var items: [DatasetItem]
    /// Problems with single rows that did not stop the load.
    package var warnings: [DatasetWarning]
    /// Set in fixed-length mode: requests then carry `ignore_eos: true` and `max_tokens` = `outputTokens`.
    package var fixedLength: FixedLengthSpec?

    /// Whether requests must carry `ignore_eos: true` (fixed-length mode, docs/moecap-metrics.md §10).
    package var ignoreEOS: Bool { fixedLength != nil }
    /// The `max_tokens` every request must use, overriding the command line's (fixed-length mode); else nil.
    package var maxTokens: Int? { fixedLength?.outputTokens }

    /// Parses `rows` as `kind` and keeps the first `numSamples` items (all when nil), as MoE-CAP's loaders and
    /// ServerlessLLM's `--num-samples` do.
    /// - Parameter subset: LongBench-v2's `sub_domain` filter; see ``DatasetRowParser/parse(_:kind:subDomain:)``.
    /// - Throws: ``DatasetError`` when no usable row remains or `numSamples` is below 1.
    package init(kind: DatasetKind, rows: DatasetRows, numSamples: Int? = nil, subset: String? = nil)
        throws(DatasetError)
    {
        if let numSamples, numSamples < 1 { throw .invalidSampleCount(numSamples) }
        let parsed = try DatasetRowParser.parse(rows, kind: kind, subDomain: subset)
        self.kind = kind
        self.items = numSamples.map { Array(parsed.items.prefix($0)) } ?? parsed.items
        self.warnings = parsed.warnings
        self.fixedLength = nil
    }

    /// Fixed-length prompts (docs/moecap-metrics.md §10) made from the inputs of `base` (all of its items), or from
    /// the synthetic paragraph when `base` is nil.
    /// - Throws: ``DatasetError`` when a count in `spec` is below 1.
    package init(fixedLength spec: FixedLengthSpec, base: Dataset?) throws(DatasetError) {
        let spec = try spec.validated()
        self.kind = base?.kind
        self.items = FixedLengthPrompts.items(baseTexts: base?.items.map(\.input) ?? [], spec: spec)
        self.warnings = base?.warnings ?? []
        self.fixedLength = spec
    }
}
