/// Chained content hashes of full KV blocks, as vLLM's prefix cache keys them: the hash of block i covers the
/// block's tokens and the hash of block i−1, so two prompts share block hashes exactly up to their first
/// differing block.
///
/// Callers make a request's ``EngineRequest/prefixBlockHashes`` with ``hashes(tokens:blockSize:)``. The engine
/// extends the chain for blocks the caller did not hash (generated tokens, or prompts given without hashes) with
/// ``extend(parent:request:block:)``, which is unique to the request. Pure functions.
package enum BlockHasher {
    /// Hash of the empty prefix.
    package static let root: UInt64 = 0x6B76_6361_6368_6521

    /// Hashes of the full `blockSize`-token blocks of `tokens`; a trailing partial block gets no hash.
    package static func hashes<C: Collection>(tokens: C, blockSize: Int = 16) -> [UInt64]
    where C.Element: BinaryInteger {
        var out: [UInt64] = []
        out.reserveCapacity(tokens.count / max(blockSize, 1))
        var parent = root
        var h = parent
        var n = 0
        for t in tokens {
            h = mix(h ^ UInt64(truncatingIfNeeded: Int64(t)) &* 0x0000_0100_0000_01B3)
            n += 1
            if n == blockSize {
                parent = mix(h ^ parent)
                out.append(parent)
                h = parent
                n = 0
            }
        }
        return out
    }

    /// ``hashes(tokens:blockSize:)`` for token ids held as `Int64` (the request path's pseudo ids): the same hashes,
    /// compiled for this type here, since a generic `package` function is not specialised in the modules that
    /// call it (docs/swift-interop.md (e)).
    package static func hashes(tokens: [Int64], blockSize: Int = 16) -> [UInt64] {
        tokens.withUnsafeBufferPointer { hashes(tokens: $0, blockSize: blockSize) }
    }

    /// A block hash unique to request `request`: block `block` chained onto `parent`.
    static func extend(parent: UInt64, request: UInt64, block: Int) -> UInt64 {
        mix(parent ^ mix(request &+ 0x5265_7175_6573_7400) ^ UInt64(block) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// 64-bit finalizer (MurmurHash3 fmix64).
    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z ^= z >> 33
        z = z &* 0xFF51_AFD7_ED55_8CCD
        z ^= z >> 33
        z = z &* 0xC4CE_B9FE_1A85_EC53
        z ^= z >> 33
        return z
    }
}
