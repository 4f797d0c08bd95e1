/// The formula family MoE-CAP picks for a model (docs/moecap-metrics.md §2, "Family dispatch").
///
/// The choice is a **case-sensitive substring test on the HF id**, in this order: `"Qwen"` without `"Qwen3"` →
/// ``qwen`` (Qwen1.5/2 MoE), `"Qwen3"` → ``qwen3``, `"DeepSeek"` → ``deepSeek``, anything else (Mixtral,
/// gpt-oss, a lower-case `qwen3-…` alias, …) → ``default``.
package enum ModelFamily: String, Sendable, Equatable, CaseIterable {
    case qwen
    case qwen3
    case deepSeek
    case `default`

    /// MoE-CAP's dispatch on `model_name` (§2).
    package init(modelName name: String) {
        if name.contains("Qwen"), !name.contains("Qwen3") {
            self = .qwen
        } else if name.contains("Qwen3") {
            self = .qwen3
        } else if name.contains("DeepSeek") {
            self = .deepSeek
        } else {
            self = .default
        }
    }
}
