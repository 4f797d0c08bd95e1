import MoECore
import Testing

@testable import SimEngine

extension EngineTests {
    /// ``KVBlockPool`` (one record per block, walked through a raw buffer) against a plain model of vLLM's block
    /// pool written with ordinary arrays and dictionaries: the same blocks handed out in the same order, the same
    /// free count, evictions and prefix-cache contents after every operation of long random sequences.
    @Suite struct KVBlockPoolModel {
        /// The free queue as an array (head first), reference counts, and the hash → block cache.
        struct PlainPool {
            let caching: Bool
            var queue: [Int32]
            var refCount: [Int32]
            var hashOf: [Int32: UInt64] = [:]
            var cache: [UInt64: Int32] = [:]
            var evictions = 0

            init(numBlocks: Int, caching: Bool) {
                self.caching = caching
                queue = (1..<numBlocks).map { Int32($0) }
                refCount = [Int32](repeating: 0, count: numBlocks)
                refCount[0] = 1
            }

            mutating func allocate(_ count: Int) -> [Int32] {
                let taken = Array(queue.prefix(count))
                queue.removeFirst(count)
                for b in taken {
                    if let h = hashOf.removeValue(forKey: b) {
                        if cache[h] == b { cache[h] = nil }
                        evictions += 1
                    }
                    refCount[Int(b)] = 1
                }
                return taken
            }

            mutating func free(_ blocks: [Int32]) {
                for b in blocks {
                    refCount[Int(b)] -= 1
                    if refCount[Int(b)] == 0 { queue.append(b) }
                }
            }

            mutating func touch(_ blocks: [Int32]) {
                for b in blocks {
                    if refCount[Int(b)] == 0 { queue.removeAll { $0 == b } }
                    refCount[Int(b)] += 1
                }
            }

            mutating func cacheBlock(_ b: Int32, hash: UInt64) {
                guard caching, hashOf[b] == nil, cache[hash] == nil else { return }
                cache[hash] = b
                hashOf[b] = hash
            }
        }

        @Test(arguments: [(40, true, UInt64(1)), (40, false, 2), (300, true, 3), (17, true, 4)])
        func randomOperationsMatchThePlainPool(numBlocks: Int, caching: Bool, seed: UInt64) {
            var pool = KVBlockPool(numBlocks: numBlocks, cachingEnabled: caching)
            var plain = PlainPool(numBlocks: numBlocks, caching: caching)
            var rng = SimRandom(seed: seed, stream: 0x506F_6F6C)
            // Blocks each simulated request holds, and the hashes seen (a few, so hits and clashes happen).
            var held: [[Int32]] = []
            let hashes: [UInt64] = (0..<(numBlocks / 2)).map { BlockHasher.mix(UInt64($0) &+ seed) }
            for op in 0..<3_000 {
                switch rng.below(5) {
                case 0, 1:
                    let n = min(rng.below(4) + 1, pool.freeCount)
                    var got: [Int32] = []
                    pool.allocate(n, into: &got)
                    #expect(got == plain.allocate(n))
                    if !got.isEmpty { held.append(got) }
                case 2:
                    guard !held.isEmpty else { continue }
                    let blocks = held.remove(at: rng.below(held.count))
                    pool.free(blocks.reversed())
                    plain.free(blocks.reversed())
                case 3:
                    // Reuse cached blocks (as a request admitted with a cached prefix does).
                    let picked = (0..<3).map { _ in hashes[rng.below(hashes.count)] }
                    // The same hash twice would touch one block twice: a request's prefix never repeats a hash.
                    let hits = Array(Set(picked)).sorted().compactMap { pool.cachedBlock($0) }
                    #expect(hits == Array(Set(picked)).sorted().compactMap { plain.cache[$0] })
                    pool.touch(hits)
                    plain.touch(hits)
                    if !hits.isEmpty { held.append(hits) }
                default:
                    guard !held.isEmpty else { continue }
                    let blocks = held[rng.below(held.count)]
                    let b = blocks[rng.below(blocks.count)]
                    let h = hashes[rng.below(hashes.count)]
                    pool.cacheBlock(b, hash: h)
                    plain.cacheBlock(b, hash: h)
                }
                #expect(pool.freeCount == plain.queue.count)
                #expect(pool.evictions == plain.evictions)
                if op % 25 == 0 {
                    #expect(hashes.map { pool.cachedBlock($0) } == hashes.map { plain.cache[$0] })
                    #expect(
                        (1..<numBlocks).map { pool.isFree(Int32($0)) }
                            == (1..<numBlocks).map { plain.refCount[$0] == 0 })
                }
            }
            // The free queue's order: allocating everything hands the blocks out in the model's queue order.
            var rest: [Int32] = []
            pool.allocate(pool.freeCount, into: &rest)
            #expect(rest == plain.allocate(plain.queue.count))
        }
    }
}
