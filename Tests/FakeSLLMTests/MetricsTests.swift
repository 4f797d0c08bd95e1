import Foundation
import MoECore
import Testing

@testable import FakeSLLM
@testable import SimEngine

/// The Prometheus registry, its text rendering, and vLLM's metrics from real engine steps (docs/metrics.md).
@Suite struct MetricsTests {
    @Test func textFormatIsPrometheusClients() {
        let r = MetricsRegistry()
        r.declare(MetricFamily(name: "a:tokens", help: "Tokens.\nTwo lines", kind: .counter, labelNames: ["m"]))
        r.declare(
            MetricFamily(name: "a:lat", help: "Latency.", kind: .histogram, labelNames: ["m"], buckets: [0.1, 1]))
        r.declare(MetricFamily(name: "a:g", help: "G.", kind: .gauge, labelNames: []))
        r.increment("a:tokens", ["x\"y\\z"], by: 3)
        r.increment("a:tokens", ["x\"y\\z"], by: -5)  // counters never go down
        r.observe("a:lat", ["m1"], 0.05)
        r.observe("a:lat", ["m1"], 0.5)
        r.observe("a:lat", ["m1"], 7)
        r.set("a:g", [], to: 0.25)
        r.increment("a:tokens", ["too", "many"])  // wrong label count: ignored
        r.increment("missing", ["x"])
        #expect(
            r.render() == """
                # HELP a:tokens_total Tokens.\\nTwo lines
                # TYPE a:tokens_total counter
                a:tokens_total{m="x\\"y\\\\z"} 3.0
                # HELP a:lat Latency.
                # TYPE a:lat histogram
                a:lat_bucket{m="m1",le="0.1"} 1.0
                a:lat_bucket{m="m1",le="1.0"} 2.0
                a:lat_bucket{m="m1",le="+Inf"} 3.0
                a:lat_count{m="m1"} 3.0
                a:lat_sum{m="m1"} 7.55
                # HELP a:g G.
                # TYPE a:g gauge
                a:g 0.25

                """)
    }

    @Test func concurrentWritersLoseNothing() async {
        let r = MetricsRegistry()
        r.declare(MetricFamily(name: "c", help: "c", kind: .counter, labelNames: ["k"]))
        r.declare(MetricFamily(name: "h", help: "h", kind: .histogram, labelNames: ["k"], buckets: [1]))
        await withTaskGroup(of: Void.self) { g in
            for t in 0..<4 {
                g.addTask {
                    for i in 0..<2000 {
                        r.increment("c", ["k\(t % 2)"])
                        r.observe("h", ["k"], Double(i % 3))
                        if i % 500 == 0 { _ = r.render() }
                    }
                }
            }
        }
        #expect(r.value("c", ["k0"]) == 4000 && r.value("c", ["k1"]) == 4000)
        #expect(r.count("h", ["k"]) == 8000)
    }

    /// A handle reaches its series by index; a retired model's handles go dead, and its series come back (at
    /// the end of the family's order, as before) only once the model is reinstated.
    @Test func handlesFollowRetirement() {
        let r = MetricsRegistry()
        r.declare(MetricFamily(name: "c", help: "c", kind: .counter, labelNames: ["model_name"]))
        r.declare(
            MetricFamily(name: "h", help: "h", kind: .histogram, labelNames: ["model_name"], buckets: [1]))
        let (a, hA) = r.batch { s in (s.handle("c", ["a"]), s.handle("h", ["a"])) }
        r.increment("c", ["b"], by: 2)
        r.batch { s in
            s.increment(a, by: 3)
            s.observe(hA, 0.5)
            s.observe(hA, 5)
            #expect(s.handle("c", ["x", "y"]) == nil && s.handle("nope", ["a"]) == nil)
        }
        #expect(r.value("c", ["a"]) == 3 && r.value("c", ["b"]) == 2 && r.count("h", ["a"]) == 2)
        r.retire(model: "a")
        r.batch { s in
            s.increment(a, by: 1)  // dead: ignored
            #expect(s.handle("c", ["a"]) == nil)  // retired: not created again
        }
        #expect(r.value("c", ["a"]) == nil && !r.render().contains("\"a\""))
        r.reinstate(model: "a")
        r.increment("c", ["a"], by: 7)
        r.batch { s in s.increment(a, by: 1) }  // the old handle stays dead
        #expect(r.value("c", ["a"]) == 7)
        let lines = r.render().split(separator: "\n").filter { $0.hasPrefix("c_total") }
        #expect(lines == ["c_total{model_name=\"b\"} 2.0", "c_total{model_name=\"a\"} 7.0"])
    }

    @Test func bucketsFollowVLLM() {
        #expect(MetricCatalog.oneTwoFive(upTo: 100) == [1, 2, 5, 10, 20, 50, 100])
        #expect(MetricCatalog.oneTwoFive(upTo: 40960).last == 20000)
    }

    @Test func engineStepsBecomeVLLMMetrics() throws {
        var config = EngineConfig(
            model: ModelCatalog.spec(for: "Qwen/Qwen3-30B-A3B")!, gpu: HardwareCatalog.gpu(named: "H100")!)
        config.maxNumSeqs = 4
        let engine = try EngineCore(config: config)
        let registry = MetricsRegistry()
        let m = EngineMetrics(registry: registry, modelName: "Qwen/Qwen3-30B-A3B", maxModelLen: 40960)
        // Six requests, four at a time: two wait. Requests 0-2 stop by EOS, 3-5 by length.
        for i in 0..<6 {
            let id = UInt64(i)
            try engine.add(EngineRequest(id: id, promptTokens: 100 + i, maxTokens: 20, outputTokens: i < 3 ? 10 : 50))
            m.requestSubmitted(id: id, promptTokens: 100 + i, maxTokens: 20)
            // The last request's arrival is reported late (after its steps ran): nothing is lost.
            if i < 5 { m.requestArrived(id: id, at: 0, queuedAt: 0.001) }
        }
        var now = 0.0
        var steps = 0
        var generated = 0
        var last: StepOutcome?
        while engine.hasUnfinishedRequests, let o = engine.step(now: now) {
            m.observe(step: o, instance: "a")
            last = o
            generated += o.events.reduce(0) { $0 + $1.newTokens }
            now = o.end
            steps += 1
            if steps == 1 {
                #expect(registry.value("vllm:num_requests_running", ["Qwen/Qwen3-30B-A3B", "0"]) == 4)
                #expect(registry.value("vllm:num_requests_waiting", ["Qwen/Qwen3-30B-A3B", "0"]) == 2)
            }
        }
        let l = ["Qwen/Qwen3-30B-A3B", "0"]
        #expect(registry.count("vllm:e2e_request_latency_seconds", l) == 5)
        m.requestArrived(id: 5, at: 0, queuedAt: 0.001)
        #expect(generated == 3 * 10 + 3 * 20)
        #expect(registry.value("vllm:generation_tokens", l) == Double(generated))
        #expect(registry.value("vllm:prompt_tokens", l) == Double((0..<6).reduce(0) { $0 + 100 + $1 }))
        #expect(registry.value("vllm:request_success", l + ["stop"]) == 3)
        #expect(registry.value("vllm:request_success", l + ["length"]) == 3)
        #expect(registry.value("vllm:request_success", l + ["abort"]) == 0)
        #expect(registry.count("vllm:time_to_first_token_seconds", l) == 6)
        #expect(registry.count("vllm:inter_token_latency_seconds", l) == UInt64(generated - 6))
        #expect(registry.count("vllm:e2e_request_latency_seconds", l) == 6)
        #expect(registry.count("vllm:request_queue_time_seconds", l) == 6)
        #expect(registry.count("vllm:iteration_tokens_total", l) == UInt64(steps))
        #expect(registry.value("vllm:num_requests_running", l) == 0)
        #expect(registry.value("fake_sllm_simulated_time_seconds", ["Qwen/Qwen3-30B-A3B"]) == now)
        let steps2 =
            (registry.value("fake_sllm_steps", ["Qwen/Qwen3-30B-A3B", "prefill"]) ?? 0)
            + (registry.value("fake_sllm_steps", ["Qwen/Qwen3-30B-A3B", "decode"]) ?? 0)
        #expect(steps2 == Double(steps))
        #expect((registry.value("fake_sllm_flops", ["Qwen/Qwen3-30B-A3B", "decode"]) ?? 0) > 0)

        // An abort counts as finished_reason="abort"; an unknown id is ignored.
        m.requestSubmitted(id: 99, promptTokens: 5, maxTokens: 5)
        m.requestArrived(id: 99, at: now, queuedAt: now)
        m.requestAborted(id: 99)
        m.requestAborted(id: 12345)
        #expect(registry.value("vllm:request_success", l + ["abort"]) == 1)
        // A refused request is forgotten, not counted.
        m.requestSubmitted(id: 100, promptTokens: 5, maxTokens: 5)
        m.requestFailed(id: 100)
        m.requestAborted(id: 100)
        #expect(registry.value("vllm:request_success", l + ["abort"]) == 1)
        // A second instance's engine: the gauges add up over the deployment's engines, KV usage is their mean.
        var other = try #require(last)
        other.events = []
        other.numRunning = 3
        other.numWaiting = 2
        other.kvCacheUsage = 0.5
        m.observe(step: other, instance: "b")
        #expect(registry.value("vllm:num_requests_running", l) == 3)
        #expect(registry.value("vllm:num_requests_waiting", l) == 2)
        #expect(registry.value("vllm:kv_cache_usage_perc", l) == (last!.kvCacheUsage + 0.5) / 2)
        let text = registry.render()
        #expect(text.contains("# TYPE vllm:request_success_total counter"))
        #expect(
            text.contains(
                "vllm:request_success_total{model_name=\"Qwen/Qwen3-30B-A3B\",engine=\"0\",finished_reason=\"stop\"} 3.0"
            ))
        #expect(text.contains("# TYPE vllm:e2e_request_latency_seconds histogram"))
        #expect(
            text.contains(
                "fake_sllm_expert_activation_bucket{model_name=\"Qwen/Qwen3-30B-A3B\",forward_mode=\"decode\",le=\"+Inf\"}"
            ))
    }
}
