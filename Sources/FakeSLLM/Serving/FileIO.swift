import Foundation

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

/// A fresh random UUID string (Python's `str(uuid4())`).
func uuid4() -> String { UUID().uuidString.lowercased() }

/// Seconds since the Unix epoch.
func unixTime() -> Double { Date().timeIntervalSince1970 }
