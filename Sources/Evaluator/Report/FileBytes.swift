#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whole-file and appended writes with plain system calls, for the run's output files.
enum FileBytes {
    /// Writes `bytes` to `path`, created (mode 0666 less the umask, as Foundation creates files) or truncated;
    /// false on any error. Plain `write(2)`s: no `Data` copy, and no second temporary file (``OutputFiles`` renames its own).
    static func writeFile(_ path: String, _ bytes: [UInt8]) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else { return false }
        let written = bytes.withUnsafeBytes { raw in writeAll(fd, raw) }
        return close(fd) == 0 && written
    }

    /// `close(2)` (for types whose own `close` hides it).
    static func closeFile(_ fd: Int32) { _ = close(fd) }

    /// `write(2)` until every byte of `raw` is written; false on an error.
    static func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < raw.count {
            let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }
}
