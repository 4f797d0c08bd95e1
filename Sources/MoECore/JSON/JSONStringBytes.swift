/// Word-at-a-time tests on string bytes, for the writer and the parser: both look for the bytes a JSON string
/// cannot hold as they are (a control character, `"` or `\\`).
enum JSONStringBytes {
    /// Eight bytes from `bytes` at `offset` (the caller checks that they exist), in memory order.
    @inline(__always)
    static func word(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + offset).loadUnaligned(as: UInt64.self))
    }

    /// Whether any byte of `w` is below 0x20, `"` or `\\`. Exact as a yes/no (the classic "has a byte less than n"
    /// and "has a zero byte" tests, n = 0x20 ≤ 128), not as to which byte.
    @inline(__always)
    static func needsEscape(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let control = (w &- ones &* 0x20) & ~w & high
        let q = w ^ (ones &* 0x22)
        let quote = (q &- ones) & ~q & high
        let s = w ^ (ones &* 0x5C)
        let backslash = (s &- ones) & ~s & high
        return control | quote | backslash != 0
    }
}
