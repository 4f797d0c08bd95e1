import Foundation
import Testing

@testable import SimEngine

extension EngineTests {
    /// Routing statistics: uniform distinct-expert counts follow E·(1−(1−k/E)^n) in both sampling regimes, skew
    /// lowers them, inclusion probabilities are right, and everything is seeded.
    @Suite struct RoutingStatistics {
        /// Mean and standard error of the per-layer distinct count over `samples` routed steps.
        func sample(_ router: inout ExpertRouter, tokens: Int, samples: Int) -> (mean: Double, se: Double) {
            var xs: [Double] = []
            for _ in 0..<samples { xs.append(router.route(tokens: tokens) / Double(router.moeLayers)) }
            let mean = xs.reduce(0, +) / Double(samples)
            let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(samples - 1)
            return (mean, (variance / Double(samples)).squareRoot())
        }

        func uniformExpectation(e: Int, k: Int, n: Int) -> Double {
            Double(e) * (1 - pow(1 - Double(k) / Double(e), Double(n)))
        }

        @Test(arguments: [(8, 2, 1), (8, 2, 6), (60, 4, 5), (128, 8, 3), (128, 8, 10)])
        func uniformExactSamplingMatchesTheFormula(e: Int, k: Int, n: Int) throws {
            var router = try ExpertRouter(
                config: .uniform, numExperts: e, topK: k, moeLayers: 4, seed: 11, exactDrawBudget: .max)
            let s = sample(&router, tokens: n, samples: 400)
            let expected = uniformExpectation(e: e, k: k, n: n)
            #expect(abs(s.mean - expected) <= 4 * s.se + 1e-9, "mean \(s.mean) vs \(expected) ± \(s.se)")
        }

        @Test(arguments: [(128, 8, 10), (128, 8, 32), (128, 8, 64), (60, 4, 16), (8, 2, 200)])
        func uniformMomentSamplingMatchesTheFormula(e: Int, k: Int, n: Int) throws {
            var router = try ExpertRouter(
                config: .uniform, numExperts: e, topK: k, moeLayers: 48, seed: 5, exactDrawBudget: 0)
            let expected = uniformExpectation(e: e, k: k, n: n)
            #expect(abs(router.moments(tokens: n).mean / 48 - expected) < 1e-9)
            let s = sample(&router, tokens: n, samples: 400)
            #expect(abs(s.mean - expected) <= 4 * s.se + 1e-3, "mean \(s.mean) vs \(expected) ± \(s.se)")
        }

        @Test func momentVarianceMatchesExactSamplingForUniformRouting() throws {
            // Exact variance of a layer's distinct count: E·u(1−u) + E(E−1)(u₂ − u²), u = (1−k/E)^n.
            let (e, k, n) = (128.0, 8.0, 10.0)
            let u = pow(1 - k / e, n)
            let u2 = pow((e - k) * (e - k - 1) / (e * (e - 1)), n)
            let exact = e * u * (1 - u) + e * (e - 1) * (u2 - u * u)
            var router = try ExpertRouter(config: .uniform, numExperts: 128, topK: 8, moeLayers: 1, seed: 1)
            #expect(abs(router.moments(tokens: 10).variance - exact) < 1e-9)
            // And the exact sampler's spread agrees within sampling error (variance of a variance ≈ 2σ⁴/(N−1)).
            var exactRouter = try ExpertRouter(
                config: .uniform, numExperts: 128, topK: 8, moeLayers: 1, seed: 3, exactDrawBudget: .max)
            var xs: [Double] = []
            for _ in 0..<2000 { xs.append(exactRouter.route(tokens: 10)) }
            let mean = xs.reduce(0, +) / 2000
            let v = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 1999
            #expect(abs(v - exact) < 4 * exact * (2.0 / 1999).squareRoot())
        }

        @Test func skewedRoutingTouchesFewerExperts() throws {
            for n in [4, 16, 64] {
                var uniform = try ExpertRouter(config: .uniform, numExperts: 128, topK: 8, moeLayers: 48, seed: 2)
                var mild = try ExpertRouter(
                    config: .zipf(exponent: 1.0), numExperts: 128, topK: 8, moeLayers: 48, seed: 2)
                var strong = try ExpertRouter(
                    config: .zipf(exponent: 1.5), numExperts: 128, topK: 8, moeLayers: 48, seed: 2)
                let u = uniform.moments(tokens: n).mean
                let m = mild.moments(tokens: n).mean
                let s = strong.moments(tokens: n).mean
                #expect(u > m && m > s)
                let sampled = sample(&mild, tokens: n, samples: 200)
                #expect(sampled.mean < uniformExpectation(e: 128, k: 8, n: n))
            }
            // Zipf 1.0 reproduces MoE-CAP's measured DBRX (16 experts, top-4) batch-5 activation of 10.51.
            var dbrx = try ExpertRouter(config: .calibrated, numExperts: 16, topK: 4, moeLayers: 40, seed: 0)
            #expect(abs(dbrx.moments(tokens: 5).mean / 40 - 10.51) < 0.1)
        }

        @Test func inclusionProbabilitiesMatchSamplingWithoutReplacement() throws {
            let weights = (0..<8).map { pow(Double($0 + 1), -1.5) }
            let pi = ExpertRouter.inclusionProbabilities(weights: weights, k: 2)
            #expect(abs(pi.reduce(0, +) - 2) < 1e-9)
            #expect(zip(pi, pi.dropFirst()).allSatisfy { $0 >= $1 })
            // Frequencies of the exact sampler (one token per step, one layer) estimate π_j.
            var router = try ExpertRouter(
                config: .counts([weights]), numExperts: 8, topK: 2, moeLayers: 1, seed: 9, exactDrawBudget: .max)
            let draws = 20_000
            var mean = 0.0
            for _ in 0..<draws { mean += router.route(tokens: 1) }
            #expect(mean / Double(draws) == 2)
            // Per-expert: the moment formula's untouched probability after one token is 1 − π_j; compare the distinct
            // count of 3 tokens (exact sampling) with Σ(1 − (1−π_j)^3).
            let predicted = pi.map { 1 - pow(1 - $0, 3) }.reduce(0, +)
            var sum = 0.0
            var squares = 0.0
            for _ in 0..<draws {
                let x = router.route(tokens: 3)
                sum += x
                squares += x * x
            }
            let m = sum / Double(draws)
            let se = ((squares / Double(draws) - m * m) / Double(draws)).squareRoot()
            #expect(abs(m - predicted) < 4 * se, "\(m) vs \(predicted) ± \(se)")
        }

        /// The fast inclusion-probability integration (raw buffers, recomputation resumed from the stored prefix)
        /// gives the same bits as the reference one on skews where the unstable branch (q_j ≥ 1/2) runs for many
        /// experts: Zipf over 128 and 64 experts, a counts row with zeros and a dominant expert, k from 1 to 8.
        @Test func inclusionProbabilitiesFastPathIsBitIdenticalToReference() {
            var cases: [(weights: [Double], k: Int)] = [
                ((0..<128).map { pow(Double($0 + 1), -1.0) }, 8),
                ((0..<64).map { pow(Double($0 + 1), -1.2) }, 6),
                ((0..<16).map { pow(Double($0 + 1), -0.5) }, 4),
                ([5, 0, 1, 1, 0.5, 0, 2, 40, 3, 0.01], 2),
                ([5, 0, 1, 1, 0.5, 0, 2, 40, 3, 0.01], 1),
                ([5, 0, 1, 1, 0.5, 0, 2, 40, 3, 0.01], 3),
            ]
            var rng = SystemRandomNumberGenerator()
            for e in [8, 33, 96] {
                cases.append(((0..<e).map { _ in Double.random(in: 0.001...10, using: &rng) }, min(5, e - 1)))
            }
            for (weights, k) in cases {
                let fast = ExpertRouter.inclusionProbabilities(weights: weights, k: k)
                let reference = ExpertRouter.inclusionProbabilitiesReference(weights: weights, k: k)
                #expect(fast.map(\.bitPattern) == reference.map(\.bitPattern), "E=\(weights.count) k=\(k)")
            }
        }

        @Test func routingIsSeededAndDeterministic() throws {
            func run(_ seed: UInt64) throws -> [Double] {
                var r = try ExpertRouter(config: .calibrated, numExperts: 64, topK: 6, moeLayers: 26, seed: seed)
                return [1, 3, 7, 40, 300, 2, 5000].map { r.route(tokens: $0) }
            }
            #expect(try run(1) == run(1))
            #expect(try run(1) != run(2))
        }

        @Test func countsAreValidatedAgainstTheModel() throws {
            let row = [Double](repeating: 1, count: 8)
            #expect(throws: EngineConfigError.self) {
                _ = try ExpertRouter(config: .counts([row, row]), numExperts: 8, topK: 2, moeLayers: 32, seed: 0)
            }
            #expect(throws: EngineConfigError.self) {
                _ = try ExpertRouter(
                    config: .counts([[1, 0, 0, 0, 0, 0, 0, 0]]), numExperts: 8, topK: 2, moeLayers: 32, seed: 0)
            }
            // Experts with zero counts are never chosen: only the three positive ones are touched.
            var r = try ExpertRouter(
                config: .counts([[5, 0, 0, 1, 0, 2, 0, 0]]), numExperts: 8, topK: 2, moeLayers: 4, seed: 0,
                exactDrawBudget: .max)
            #expect(r.route(tokens: 50) == 12)
            let parsed = try RoutingConfig(countsJSON: .object(["counts": .array([.array([1, 2.5, 0])])]))
            #expect(parsed == .counts([[1, 2.5, 0]]))
            #expect(throws: EngineConfigError.self) { _ = try RoutingConfig(countsJSON: .array([.array([1, -1])])) }
            #expect(try RoutingConfig(parsing: "zipf:1.2") == .zipf(exponent: 1.2))
            #expect(try RoutingConfig(parsing: "uniform") == .uniform)
            #expect(throws: EngineConfigError.self) { _ = try RoutingConfig(parsing: "zipf:-1") }
        }

        @Test func engineReportsActivationAsTheMeanOverMoELayers() throws {
            var config = EngineFixture.config(eager: true)
            config.routing = .uniform
            let engine = try EngineCore(config: config)
            try engine.add(EngineFixture.request(1, prompt: 1, output: 2))
            // One token per layer picks exactly k = 8 distinct experts.
            #expect(engine.step(now: 0)?.expertActivation == 8)
            try engine.add(EngineFixture.request(2, prompt: 4000, output: 1))
            // Thousands of tokens touch every expert.
            #expect(engine.step(now: 1)?.expertActivation == 128)
        }
    }
}
