import MoECore
import Testing

@testable import SimEngine

extension EngineTests {
    /// The in-process simulation: determinism, record format, workloads, traces, and the fidelity replays.
    @Suite struct InProcessSimulation {
        typealias F = EngineFixture

        func smallWorkload(seed: UInt64) -> Workload {
            SyntheticWorkload(
                count: 60, arrival: .poisson(rate: 20), promptTokens: .uniform(50, 400),
                outputTokens: .normal(mean: 60, std: 20),
                sharedPrefixTokens: 64, prefixGroups: 3, seed: seed
            ).generate()
        }

        @Test func sameInputsAndSeedGiveByteIdenticalOutputs() throws {
            let a = try Simulation.run(config: F.config(seed: 7), workload: smallWorkload(seed: 7))
            let b = try Simulation.run(config: F.config(seed: 7), workload: smallWorkload(seed: 7))
            #expect(a.recordsJSON().serialized(indent: 2) == b.recordsJSON().serialized(indent: 2))
            // The streamed encoding `simulate` writes is the tree's, byte for byte.
            #expect(a.recordsJSONBytes(indent: 2) == a.recordsJSON().serializedBytes(indent: 2))
            #expect(a.timingsJSONLBytes() == Array(a.timingsJSONL().utf8))
            // Written in pieces (as `simulate` writes its files), the same bytes.
            var records: [UInt8] = []
            var timings: [UInt8] = []
            a.writeRecordsJSON(indent: 2, chunkBytes: 500) { records.append(contentsOf: $0) }
            a.writeTimingsJSONL(chunkBytes: 300) { timings.append(contentsOf: $0) }
            #expect(records == a.recordsJSONBytes(indent: 2))
            #expect(timings == a.timingsJSONLBytes())
            #expect(a.timingsJSONL() == b.timingsJSONL())
            #expect(JSONValue.object(a.summary()).serialized() == JSONValue.object(b.summary()).serialized())
            let c = try Simulation.run(config: F.config(seed: 8), workload: smallWorkload(seed: 7))
            #expect(a.recordsJSON() != c.recordsJSON())  // routing draws differ
        }

        @Test func recordsHaveTheBackendsKeysInOrder() throws {
            let r = try Simulation.run(config: F.config(), workload: smallWorkload(seed: 1))
            let records = try #require(r.recordsJSON().arrayValue)
            #expect(records.count == r.stepCount)
            let first = try #require(records.first?.objectValue)
            #expect(
                first.keys == [
                    "batch_size", "latency", "seq_lens_sum", "forward_mode", "expert_activation", "forward_pass_id",
                    "gpu_num", "gpu_raw_type",
                ])
            #expect(first["gpu_raw_type"] == "NVIDIA-H100-HBM3-80GB")
            #expect(first["gpu_num"] == 1)
            for (i, rec) in records.enumerated() {
                #expect(rec["batch_size"] == rec["seq_lens_sum"])
                #expect(rec["forward_pass_id"] == .int(i + 1))
                let mode = rec["forward_mode"]?.stringValue
                #expect(mode == "decode" || mode == "prefill")
                let activation = try #require(rec["expert_activation"]?.doubleValue)
                #expect(activation >= 8 && activation <= 128)
                #expect((rec["latency"]?.doubleValue ?? 0) > 0)
            }
            // Every request completed with its output length, after it arrived.
            for t in r.timings {
                #expect(t.outputTokens >= 1)
                #expect(t.firstToken > t.arrival)
                #expect(t.finish >= t.firstToken)
            }
        }

        @Test func concurrencyCapHoldsAndSendTimesFollowCompletions() throws {
            let w = SyntheticWorkload(
                count: 30, promptTokens: .fixed(200), outputTokens: .uniform(10, 50), maxConcurrency: 4, seed: 3
            ).generate()
            let r = try Simulation.run(config: F.config(), workload: w)
            var events: [(time: Double, delta: Int)] = []
            for t in r.timings {
                events.append((t.arrival, 1))
                events.append((t.finish, -1))
            }
            // At equal times a finish frees its slot before the next send.
            events.sort { a, b in a.time == b.time ? a.delta < b.delta : a.time < b.time }
            var inFlight = 0
            var peak = 0
            for (_, delta) in events {
                inFlight += delta
                peak = max(peak, inFlight)
            }
            #expect(peak == 4)
            // Every request after the first four is sent the moment an earlier one finishes.
            let finishes = Set(r.timings.map(\.finish))
            #expect(r.timings.dropFirst(4).allSatisfy { finishes.contains($0.arrival) })
        }

        @Test func arrivalPatternsAndLengthDistributions() throws {
            let poisson = SyntheticWorkload(
                count: 4000, arrival: .poisson(rate: 10), promptTokens: .fixed(10),
                outputTokens: .exponential(mean: 100),
                seed: 1
            ).generate()
            let span = poisson.requests.last!.arrival
            #expect(abs(4000 / span - 10) < 0.6)
            let outputs = poisson.requests.map { Double($0.outputTokens) }
            #expect(abs(outputs.reduce(0, +) / 4000 - 100) < 6)
            let constant = SyntheticWorkload(
                count: 5, arrival: .constant(rate: 4), promptTokens: .fixed(1), outputTokens: .fixed(1)
            ).generate()
            #expect(constant.requests.map(\.arrival) == [0, 0.25, 0.5, 0.75, 1])
            #expect(try LengthDistribution(parsing: "uniform:5:9") == .uniform(5, 9))
            #expect(try LengthDistribution(parsing: "lognormal:100:0.5") == .lognormal(mean: 100, sigma: 0.5))
            #expect(throws: SimulationInputError.self) { _ = try LengthDistribution(parsing: "uniform:9:5") }
            #expect(throws: SimulationInputError.self) { _ = try LengthDistribution(parsing: "0") }
            #expect(throws: SimulationInputError.self) { _ = try LengthDistribution(parsing: "gamma:3") }
            // Shared prefixes share block hashes; distinct prompts repeat cyclically.
            let shared = SyntheticWorkload(
                count: 4, promptTokens: .fixed(100), outputTokens: .fixed(1), sharedPrefixTokens: 48, prefixGroups: 2,
                distinctPrompts: 3
            ).generate().requests
            #expect(shared[0].prefixBlockHashes.prefix(3) == shared[2].prefixBlockHashes.prefix(3))
            #expect(shared[0].prefixBlockHashes[3] != shared[2].prefixBlockHashes[3])
            #expect(shared[0].prefixBlockHashes.prefix(3) != shared[1].prefixBlockHashes.prefix(3))
            #expect(shared[3] == shared[0])
        }

        @Test func tracesAreParsedWithClearErrors() throws {
            let w = try TraceReader.parse(
                """
                {"arrival_s": 1.5, "prompt_tokens": 100, "output_tokens": 20}

                {"arrival_s": 0.5, "prompt_tokens": 50, "output_tokens": 5, "max_tokens": 8, "prefix_id": 1, "prefix_tokens": 32}
                """)
            #expect(w.requests.map(\.arrival) == [0.5, 1.5])
            #expect(w.requests[0].maxTokens == 8 && w.requests[1].maxTokens == 20)
            func error(_ text: String) -> String {
                do {
                    _ = try TraceReader.parse(text)
                    return ""
                } catch { return String(describing: error) }
            }
            #expect(error(#"{"arrival_s": 0, "prompt_tokens": 10}"#) == #"trace line 1: missing "output_tokens""#)
            #expect(
                error("{\"arrival_s\": 0, \"prompt_tokens\": 1, \"output_tokens\": 1}\nnot json").hasPrefix(
                    "trace line 2: invalid JSON"))
            #expect(error(#"{"arrival_s": -1, "prompt_tokens": 1, "output_tokens": 1}"#).contains("must be ≥ 0"))
            #expect(
                error(#"{"arrival_s": 0, "prompt_tokens": 1.5, "output_tokens": 1}"#).contains("must be an integer"))
            #expect(error("") == "trace has no requests")
            let r = try Simulation.run(config: F.config(), workload: w)
            #expect(r.timings.map(\.outputTokens) == [5, 20])
        }

        @Test func overlongRequestsFailTheSimulationWithVLLMsMessage() throws {
            let w = Workload(requests: [WorkloadRequest(arrival: 0, promptTokens: 5000, outputTokens: 1)])
            #expect {
                try Simulation.run(config: F.config(maxModelLen: 4096), workload: w)
            } throws: { error in
                String(describing: error).contains(
                    "The decoder prompt (length 5000) is longer than the maximum model length of 4096")
            }
        }

        @Test func fidelityReplaysStayWithinTenPercent() throws {
            // Shortened V1 stages (the source ran 600 s each) keep the debug-build test quick.
            let rows = try FidelityReplay.run(v1StageSeconds: 60)
            for row in rows where row.calibrated {
                #expect(abs(row.errorPercent) <= 10, "\(row.target) \(row.figure): \(row.predicted) vs \(row.measured)")
            }
        }
    }
}
