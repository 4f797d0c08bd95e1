/// The metric families `GET /metrics` exposes (docs/metrics.md): vLLM 0.11's v1 engine metrics under their
/// names, types, label names and bucket bounds, and this simulator's `fake_sllm_*` families for what vLLM does
/// not measure (expert activation per step, the ground-truth utilisations). Times are simulated seconds.
package enum MetricCatalog {
    /// vLLM's labels: the served model name and the engine index (always `"0"` here).
    static let labels = ["model_name", "engine"]
    /// `fake_sllm_*` per-step families split prefill and decode steps.
    static let stepLabels = ["model_name", "forward_mode"]

    // vLLM 0.11's bucket bounds (docs/metrics.md).
    static let ttftBuckets = [
        0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0,
        160.0, 640.0, 2560.0,
    ]
    static let tokenLatencyBuckets = [
        0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0,
    ]
    static let requestLatencyBuckets = [
        0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0,
        1920.0, 7680.0,
    ]
    static let iterationTokenBuckets: [Double] = [
        1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384,
    ]
    static let utilizationBuckets = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    static let expertBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 96, 128, 160, 256, 384, 512]
    static let stepLatencyBuckets = [
        0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0,
    ]

    /// vLLM's `build_1_2_5_buckets(max_model_len)`: 1, 2, 5, 10, 20, 50, … up to the model length.
    static func oneTwoFive(upTo maximum: Int) -> [Double] {
        var out: [Double] = []
        var scale = 1
        while true {
            for m in [1, 2, 5] {
                let (v, overflow) = m.multipliedReportingOverflow(by: scale)
                if overflow || v > maximum { return out }
                out.append(Double(v))
            }
            scale *= 10
        }
    }

    /// Every family, for a server whose longest model length is `maxModelLen`.
    static func families(maxModelLen: Int) -> [MetricFamily] {
        let lengths = oneTwoFive(upTo: max(1, maxModelLen))
        func gauge(_ n: String, _ h: String, _ l: [String] = labels) -> MetricFamily {
            MetricFamily(name: n, help: h, kind: .gauge, labelNames: l)
        }
        func counter(_ n: String, _ h: String, _ l: [String] = labels) -> MetricFamily {
            MetricFamily(name: n, help: h, kind: .counter, labelNames: l)
        }
        func histogram(_ n: String, _ h: String, _ b: [Double], _ l: [String] = labels) -> MetricFamily {
            MetricFamily(name: n, help: h, kind: .histogram, labelNames: l, buckets: b)
        }
        return [
            gauge(VLLM.running, "Number of requests in model execution batches."),
            gauge(VLLM.waiting, "Number of requests waiting to be processed."),
            gauge(VLLM.kvCacheUsage, "KV-cache usage. 1 means 100 percent usage."),
            counter(VLLM.preemptions, "Cumulative number of preemption from the engine."),
            counter(VLLM.promptTokens, "Number of prefill tokens processed."),
            counter(VLLM.generationTokens, "Number of generation tokens processed."),
            counter(VLLM.requestSuccess, "Count of successfully processed requests.", labels + ["finished_reason"]),
            histogram(VLLM.requestPromptTokens, "Number of prefill tokens processed.", lengths),
            histogram(VLLM.requestGenerationTokens, "Number of generation tokens processed.", lengths),
            histogram(VLLM.iterationTokens, "Histogram of number of tokens per engine_step.", iterationTokenBuckets),
            histogram(VLLM.maxTokensParam, "Histogram of the max_tokens request parameter.", lengths),
            histogram(VLLM.ttft, "Histogram of time to first token in seconds.", ttftBuckets),
            histogram(VLLM.interTokenLatency, "Histogram of inter-token latency in seconds.", tokenLatencyBuckets),
            histogram(
                VLLM.timePerOutputToken,
                "Histogram of time per output token in seconds.DEPRECATED: Use vllm:inter_token_latency_seconds instead.",
                tokenLatencyBuckets),
            histogram(
                VLLM.requestTimePerOutputToken, "Histogram of time_per_output_token_seconds per request.",
                tokenLatencyBuckets),
            histogram(VLLM.e2eLatency, "Histogram of e2e request latency in seconds.", requestLatencyBuckets),
            histogram(
                VLLM.queueTime, "Histogram of time spent in WAITING phase for request.", requestLatencyBuckets),
            histogram(
                VLLM.inferenceTime, "Histogram of time spent in RUNNING phase for request.", requestLatencyBuckets),
            histogram(
                VLLM.prefillTime, "Histogram of time spent in PREFILL phase for request.", requestLatencyBuckets),
            histogram(VLLM.decodeTime, "Histogram of time spent in DECODE phase for request.", requestLatencyBuckets),

            counter(Sim.steps, "Engine steps simulated, by forward_mode.", stepLabels),
            histogram(
                Sim.stepLatency, "Recorded latency of each step (simulated seconds).", stepLatencyBuckets, stepLabels),
            histogram(
                Sim.expertActivation,
                "Distinct experts that received at least one token, mean over MoE layers, per step.", expertBuckets,
                stepLabels),
            gauge(Sim.lastExpertActivation, "expert_activation of the latest step.", ["model_name"]),
            histogram(
                Sim.bandwidthUtilization, "Ground-truth memory-bandwidth utilisation of each step (fraction of peak).",
                utilizationBuckets, stepLabels),
            histogram(
                Sim.flopsUtilization, "Ground-truth FLOPS utilisation of each step (fraction of the dense peak).",
                utilizationBuckets, stepLabels),
            counter(Sim.flops, "True FLOPs executed (all GPUs of the deployment).", stepLabels),
            counter(Sim.bytes, "True bytes moved to and from GPU memory (all GPUs of the deployment).", stepLabels),
            gauge(Sim.clock, "The deployment's simulated clock (seconds since its engine started).", ["model_name"]),
        ]
    }

    /// vLLM's family names.
    enum VLLM {
        static let running = "vllm:num_requests_running"
        static let waiting = "vllm:num_requests_waiting"
        static let kvCacheUsage = "vllm:kv_cache_usage_perc"
        static let preemptions = "vllm:num_preemptions"
        static let promptTokens = "vllm:prompt_tokens"
        static let generationTokens = "vllm:generation_tokens"
        static let requestSuccess = "vllm:request_success"
        static let requestPromptTokens = "vllm:request_prompt_tokens"
        static let requestGenerationTokens = "vllm:request_generation_tokens"
        static let iterationTokens = "vllm:iteration_tokens_total"
        static let maxTokensParam = "vllm:request_params_max_tokens"
        static let ttft = "vllm:time_to_first_token_seconds"
        static let interTokenLatency = "vllm:inter_token_latency_seconds"
        static let timePerOutputToken = "vllm:time_per_output_token_seconds"
        static let requestTimePerOutputToken = "vllm:request_time_per_output_token_seconds"
        static let e2eLatency = "vllm:e2e_request_latency_seconds"
        static let queueTime = "vllm:request_queue_time_seconds"
        static let inferenceTime = "vllm:request_inference_time_seconds"
        static let prefillTime = "vllm:request_prefill_time_seconds"
        static let decodeTime = "vllm:request_decode_time_seconds"
    }

    /// This simulator's family names.
    enum Sim {
        static let steps = "fake_sllm_steps"
        static let stepLatency = "fake_sllm_step_latency_seconds"
        static let expertActivation = "fake_sllm_expert_activation"
        static let lastExpertActivation = "fake_sllm_expert_activation_last"
        static let bandwidthUtilization = "fake_sllm_bandwidth_utilization"
        static let flopsUtilization = "fake_sllm_flops_utilization"
        static let flops = "fake_sllm_flops"
        static let bytes = "fake_sllm_bytes"
        static let clock = "fake_sllm_simulated_time_seconds"
    }
}
