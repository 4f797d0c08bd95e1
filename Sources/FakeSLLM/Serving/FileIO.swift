import Foundation
import Synchronization

/// The bytes of a file, or nil when it cannot be read: read once, straight into the array (no second copy),
/// sized from `fstat` and grown if the file grows meanwhile.
func readFileBytes(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
    var out = [UInt8](repeating: 0, count: max(Int(st.st_size), 0) + 1)
    var used = 0
    while true {
        if used == out.count { out += [UInt8](repeating: 0, count: max(out.count, 4096)) }
        let n = out.withUnsafeMutableBytes { read(fd, $0.baseAddress! + used, $0.count - used) }
        if n < 0 {
            if errno == EINTR { continue }
            return nil
        }
        if n == 0 { break }
        used += n
    }
    out.removeLast(out.count - used)
    return out
}

/// A fresh random UUID string (Python's `str(uuid4())`: version 4, RFC 4122 variant, lower-case hex).
///
/// Foundation's `UUID()` reads `/dev/urandom` on every call (open, read, close: three system calls per
/// completion); here a key drawn once from the system generator is mixed with a process-wide counter through
/// SplitMix64's finalizer (a bijection, so no two calls repeat the high half before the version bits are set).
func uuid4() -> String {
    let n = uuidCounter.add(1, ordering: .relaxed).newValue
    var hi = splitMix64(uuidKey.0 &+ n &* 0x9E37_79B9_7F4A_7C15)
    var lo = splitMix64(uuidKey.1 ^ (n &* 0xD1B5_4A32_D192_ED03))
    hi = (hi & ~0xF000) | 0x4000  // version 4
    lo = (lo & ~(0xC000 << 48)) | (0x8000 << 48)  // variant 10xx
    return String(unsafeUninitializedCapacity: 36) { out in
        var k = 0
        for digit in 0..<32 {
            if digit == 8 || digit == 12 || digit == 16 || digit == 20 {
                out[k] = UInt8(ascii: "-")
                k += 1
            }
            let word = digit < 16 ? hi : lo
            let nibble = UInt8(truncatingIfNeeded: word >> UInt64(60 - 4 * (digit % 16))) & 0xF
            out[k] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
            k += 1
        }
        return k
    }
}

private let uuidKey: (UInt64, UInt64) = {
    var g = SystemRandomNumberGenerator()
    return (g.next(), g.next())
}()
private let uuidCounter = Atomic<UInt64>(0)

private func splitMix64(_ x: UInt64) -> UInt64 {
    var z = x
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// Seconds since the Unix epoch.
func unixTime() -> Double { Date().timeIntervalSince1970 }
