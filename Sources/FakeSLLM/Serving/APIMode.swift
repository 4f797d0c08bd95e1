/// Which HTTP API the server speaks (docs/openai-mode.md).
package enum APIMode: String, Sendable, CaseIterable {
    /// ServerlessLLM's gateway and `vllm_moecap` backend, byte for byte (the default).
    case sllm
    /// `vllm serve`'s OpenAI-compatible server (vLLM 0.11): OpenAI request parameters accepted, vLLM's error
    /// bodies, `/v1/models` under `data`, `/v1/completions` as text completions. The recording routes stay.
    case openai

    /// The serving mode a deployment gets when none is given: a `vllm serve` has no ServerlessLLM router.
    var defaultServing: ServingMode { self == .openai ? .direct : .sllm }
}
