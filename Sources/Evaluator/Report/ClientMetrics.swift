import MoECore

/// Latency and throughput measured by the client (not part of MoE-CAP): per-request TTFT (streaming only),
/// TPOT (vLLM bench's definition), inter-token latency (every gap between streamed chunks, pooled), end-to-end
/// latency, and request and output-token throughput over the sending phase.
public enum ClientMetrics {
    public static func json(outcomes: [RequestOutcome], wallSeconds: Double) -> JSONValue {
        let ok = outcomes.filter(\.succeeded)
        func summary(_ values: [Double]) -> JSONValue { DistributionSummary(values)?.json ?? .null }
        let outputTokens = ok.reduce(0) { $0 + ($1.completionTokens ?? 0) }
        let wall = max(wallSeconds, 1e-9)
        return .object(
            JSONObject([
                ("total_requests", .int(outcomes.count)), ("successful_requests", .int(ok.count)),
                ("failed_requests", .int(outcomes.count - ok.count)),
                ("duration_s", .double(wallSeconds)),
                ("request_throughput_rps", .double(Double(ok.count) / wall)),
                ("output_token_throughput_tps", .double(Double(outputTokens) / wall)),
                ("total_output_tokens", .int(outputTokens)),
                ("total_prompt_tokens", .int(ok.reduce(0) { $0 + ($1.promptTokens ?? 0) })),
                ("ttft_s", summary(ok.compactMap(\.ttft))),
                ("tpot_s", summary(ok.compactMap(\.tpot))),
                ("itl_s", summary(ok.flatMap(\.interTokenLatencies))),
                ("e2e_latency_s", summary(ok.compactMap(\.e2e))),
            ]))
    }
}
