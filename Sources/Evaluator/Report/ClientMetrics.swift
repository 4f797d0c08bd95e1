import MoECore

/// Latency and throughput measured by the client (not part of MoE-CAP), on two clocks (docs/evaluator.md
/// "Client figures"):
///
/// - `simulated`: from what fake-sllm states about its simulated clock (arrival, first-token and finish headers,
///   a time per streamed event). Present only when the server states it; never wall time × speed-up.
/// - `wall_clock`: measured on this machine's monotonic clock, as against any server.
///
/// `clock` names the section the headline figures (summary table) come from. Each section has per-request TTFT,
/// TPOT (vLLM bench's definition), inter-token latency (every gap between streamed chunks, pooled), end-to-end
/// latency, and request and output-token throughput over its duration.
enum ClientMetrics {
    static func json(outcomes: [RequestOutcome], wallSeconds: Double, warmUp: RequestOutcome? = nil) -> JSONValue {
        let ok = outcomes.filter(\.succeeded)
        let outputTokens = ok.reduce(0) { $0 + ($1.completionTokens ?? 0) }
        var out = JSONObject([
            ("total_requests", .int(outcomes.count)), ("successful_requests", .int(ok.count)),
            ("failed_requests", .int(outcomes.count - ok.count)), ("total_output_tokens", .int(outputTokens)),
            ("total_prompt_tokens", .int(ok.reduce(0) { $0 + ($1.promptTokens ?? 0) })),
        ])
        let failed = outcomes.filter { !$0.succeeded }
        if !failed.isEmpty {
            // Why requests failed, most frequent first (the reasons a truncated answer or the size cap give too).
            out["failure_reasons"] = .array(
                RunVerdict.errorCounts(failed).prefix(10).map {
                    ["message": .string($0.message), "count": .int($0.count)]
                })
        }
        let simulated = simulatedSection(ok)
        out["clock"] = simulated == nil ? "wall_clock" : "simulated"
        if let simulated { out["simulated"] = simulated }
        out["wall_clock"] = wallSection(ok, wallSeconds: wallSeconds, outputTokens: outputTokens)
        if let warmUp { out["warm_up"] = warmUpSection(warmUp) }
        return .object(out)
    }

    /// The warm-up request on both clocks: a cold start shows as its time to first token.
    static func warmUpSection(_ o: RequestOutcome) -> JSONValue {
        var w = JSONObject([
            ("succeeded", .bool(o.succeeded)), ("error", o.error.map { .string($0) } ?? .null),
            ("wall_latency_s", o.e2e.map { .double($0) } ?? .null),
            ("prompt_tokens", o.promptTokens.map { .int($0) } ?? .null),
            ("completion_tokens", o.completionTokens.map { .int($0) } ?? .null),
        ])
        if let sim = o.simulated {
            w["sim_arrival_s"] = .double(sim.arrival)
            w["sim_ttft_s"] = sim.ttft.map { .double($0) } ?? .null
            w["sim_latency_s"] = .double(sim.e2e)
        }
        return .object(w)
    }

    static func summary(_ values: [Double]) -> JSONValue { DistributionSummary(values)?.json ?? .null }

    /// Figures on the wall clock over the sending phase.
    static func wallSection(_ ok: [RequestOutcome], wallSeconds: Double, outputTokens: Int) -> JSONValue {
        let wall = max(wallSeconds, 1e-9)
        return .object(
            JSONObject([
                ("duration_s", .double(wallSeconds)),
                ("request_throughput_rps", .double(Double(ok.count) / wall)),
                ("output_token_throughput_tps", .double(Double(outputTokens) / wall)),
                ("ttft_s", summary(ok.compactMap(\.ttft))),
                ("tpot_s", summary(ok.compactMap(\.tpot))),
                ("itl_s", summary(ok.flatMap(\.interTokenLatencies))),
                ("e2e_latency_s", summary(ok.compactMap(\.e2e))),
            ]))
    }

    /// Figures on the server's simulated clock over the successful requests that state their timing; nil when
    /// none does. The duration runs from the first arrival to the last finish.
    static func simulatedSection(_ ok: [RequestOutcome]) -> JSONValue? {
        let timed = ok.filter { $0.simulated != nil }
        guard let first = timed.map({ $0.simulated!.arrival }).min(),
            let last = timed.map({ $0.simulated!.finish }).max()
        else { return nil }
        let duration = last - first
        let span = max(duration, 1e-9)
        let tokens = timed.reduce(0) { $0 + ($1.completionTokens ?? 0) }
        return .object(
            JSONObject([
                ("source", "server-stated simulated time (X-Fake-SLLM-* headers, sim_t event comments)"),
                ("requests_timed", .int(timed.count)),
                ("duration_s", .double(duration)),
                ("request_throughput_rps", .double(Double(timed.count) / span)),
                ("output_token_throughput_tps", .double(Double(tokens) / span)),
                ("ttft_s", summary(timed.compactMap { $0.simulated!.ttft })),
                ("tpot_s", summary(timed.compactMap { $0.simulated!.tpot(outputTokens: $0.completionTokens) })),
                ("itl_s", summary(timed.flatMap { $0.simulated!.interTokenLatencies })),
                ("e2e_latency_s", summary(timed.map { $0.simulated!.e2e })),
            ]))
    }
}
