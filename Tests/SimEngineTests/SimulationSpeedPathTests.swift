import MoECore
import Testing

@testable import SimEngine

extension EngineTests {
    /// The simulator's speed paths against the plain code they replace: `simulate`'s two files written straight
    /// into bytes (no `JSONValue` tree per line) must be exactly the tree writer's bytes for every value a float or
    /// an integer can take, and synthetic prompts' block hashes must be those of hashing every token the plain way.
    @Suite struct SimulationSpeedPaths {
        typealias F = EngineFixture

        /// Doubles whose text takes every branch of the float writer: exponents both ways, negative zero,
        /// integers, shortest round-trip digits, non-finite values.
        static let awkwardDoubles: [Double] = [
            0, -0.0, 1, -1, 0.1 + 0.2, 1e-7, 1.5e-5, 1e16, 1e22, 123_456_789.125, -2.5e-300, .leastNonzeroMagnitude,
            .greatestFiniteMagnitude, .nan, .infinity, -.infinity, 0.012345678901234567, 3.0e-4,
        ]

        /// A result from a small run, with its timings and step summaries replaced by awkward values.
        func awkwardResult() throws -> SimulationResult {
            let workload = SyntheticWorkload(
                count: 24, arrival: .poisson(rate: 50), promptTokens: .uniform(20, 200),
                outputTokens: .normal(mean: 20, std: 5), seed: 3
            ).generate()
            let run = try Simulation.run(config: F.config(seed: 3), workload: workload)
            let d = Self.awkwardDoubles
            var timings = run.timings
            for i in timings.indices {
                timings[i].arrival = d[i % d.count]
                timings[i].firstToken = d[(i + 5) % d.count]
                timings[i].finish = d[(i + 11) % d.count]
                timings[i].promptTokens = [0, 7, Int.max, -3, 1_000_000][i % 5]
                timings[i].outputTokens = [1, 2, Int.min, 0, 40][i % 5]
            }
            var steps = run.steps
            for i in steps.indices {
                steps[i].latency = d[i % d.count]
                steps[i].expertActivation = d[(i + 7) % d.count]
                steps[i].batchSize = [0, 1, 8192, -1, Int.max][i % 5]
                steps[i].forwardPassID = [Int.min, 0, 12_345][i % 3]
            }
            return SimulationResult(
                config: run.config, timings: timings, steps: steps, simulatedSeconds: run.simulatedSeconds,
                stepCount: run.stepCount, decodeSteps: 0, decodeLatencySum: 0, prefillSteps: 0, prefillLatencySum: 0,
                meanDecodeActivation: 0, preemptions: 0, prefixHitTokens: 0, admittedPromptTokens: 0,
                kvCacheTokens: run.kvCacheTokens, routingWallSeconds: 0)
        }

        @Test func recordsAreTheTreeWritersBytes() throws {
            let r = try awkwardResult()
            #expect(r.steps.count > 20)
            let tree = r.recordsJSON().serializedBytes(indent: 2)
            #expect(r.recordsJSONBytes(indent: 2) == tree)
            // In small pieces, the same bytes.
            var pieces: [UInt8] = []
            r.writeRecordsJSON(indent: 2, chunkBytes: 100) { pieces.append(contentsOf: $0) }
            #expect(pieces == tree)
            // Other layouts (the tree path) and no records at all.
            #expect(r.recordsJSONBytes(indent: nil) == r.recordsJSON().serializedBytes())
            let empty = SimulationResult(
                config: r.config, timings: [], steps: [], simulatedSeconds: 0, stepCount: 0, decodeSteps: 0,
                decodeLatencySum: 0, prefillSteps: 0, prefillLatencySum: 0, meanDecodeActivation: 0, preemptions: 0,
                prefixHitTokens: 0, admittedPromptTokens: 0, kvCacheTokens: 0, routingWallSeconds: 0)
            #expect(empty.recordsJSONBytes(indent: 2) == Array("[]".utf8))
            #expect(empty.timingsJSONLBytes().isEmpty)
        }

        @Test func timingLinesAreTheTreeWritersBytes() throws {
            let r = try awkwardResult()
            var tree: [UInt8] = []
            for i in r.timings.indices {
                r.timingJSON(i).appendSerialized(to: &tree)
                tree.append(0x0A)
            }
            #expect(r.timingsJSONLBytes() == tree)
            var pieces: [UInt8] = []
            r.writeTimingsJSONL(chunkBytes: 64) { pieces.append(contentsOf: $0) }
            #expect(pieces == tree)
            // The tree is the documented line: keys in order, Python's float spelling.
            let first = String(decoding: tree.prefix { $0 != 0x0A }, as: UTF8.self)
            #expect(first.hasPrefix(#"{"id": 0, "arrival_s": 0.0, "first_token_s": 1e-07, "finish_s": "#))
        }

        /// The hashes of ``SyntheticWorkload/promptHashes(tokens:sharedPrefix:group:prompt:blockSize:seed:)`` as
        /// it was written before its owner keys were hoisted: every token id computed with its owner mixed in, and
        /// every token (the trailing partial block's too) fed to the hasher.
        static func plainPromptHashes(
            tokens: Int, sharedPrefix: Int, group: Int, prompt: Int, blockSize: Int, seed: UInt64
        ) -> [UInt64] {
            let ids = (0..<tokens).map { pos -> UInt64 in
                let owner: UInt64 =
                    pos < sharedPrefix ? 0x4752_0000_0000 &+ UInt64(group) : 0x5052_0000_0000 &+ UInt64(prompt)
                return BlockHasher.mix(seed ^ BlockHasher.mix(owner) ^ UInt64(pos)) & 0xF_FFFF
            }
            return BlockHasher.hashes(tokens: ids, blockSize: blockSize)
        }

        @Test(arguments: [
            (0, 0, 16), (15, 0, 16), (16, 0, 16), (17, 5, 16), (150, 0, 16), (1000, 512, 16), (1000, 1000, 16),
            (333, 100, 32), (64, 2000, 1), (50, 20, 7),
        ])
        func promptHashesAreThePlainOnes(tokens: Int, sharedPrefix: Int, blockSize: Int) {
            for (group, prompt, seed) in [(0, 0, UInt64(0)), (3, 41, 7), (1, 99_999, .max)] {
                let fast = SyntheticWorkload.promptHashes(
                    tokens: tokens, sharedPrefix: sharedPrefix, group: group, prompt: prompt, blockSize: blockSize,
                    seed: seed)
                let plain = Self.plainPromptHashes(
                    tokens: tokens, sharedPrefix: sharedPrefix, group: group, prompt: prompt, blockSize: blockSize,
                    seed: seed)
                #expect(fast == plain)
                #expect(fast.count == tokens / blockSize)
            }
        }
    }
}
