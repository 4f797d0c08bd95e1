import MoECore
import Testing

@testable import SimEngine

extension EngineTests {
    /// The prefix cache's open-addressing table behaves as a dictionary through inserts, replacements, removals
    /// (backward shifts across wrapped probe runs) and a reset.
    @Suite struct BlockHashTableBehaviour {
        @Test func matchesADictionaryUnderRandomOperations() {
            var table = BlockHashTable(capacity: 64)
            var reference: [UInt64: Int32] = [:]
            var rng = SimRandom(seed: 7)
            // Few distinct keys with clustered low bits: long probe runs that wrap around the table's end.
            let keys = (0..<96).map { i -> UInt64 in UInt64(i % 8) &* 0x1_0000_0000 &+ UInt64(120 + i / 8) }
            for step in 0..<20_000 {
                let key = keys[rng.below(keys.count)]
                switch rng.below(3) {
                case 0 where reference.count < 64 || reference[key] != nil:
                    let block = Int32(rng.below(1000))
                    table.set(key, block)
                    reference[key] = block
                case 1:
                    table.remove(key)
                    reference[key] = nil
                default:
                    break
                }
                #expect(table[key] == reference[key], "step \(step)")
                #expect(table.count == reference.count)
                if step % 997 == 0 {
                    for k in keys { #expect(table[k] == reference[k], "step \(step), key \(k)") }
                }
            }
            table.removeAll()
            #expect(table.count == 0)
            for k in keys { #expect(table[k] == nil) }
        }
    }
}
