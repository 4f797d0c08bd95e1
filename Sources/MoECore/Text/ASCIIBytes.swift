/// The one test for "is this text plain ASCII?" that the byte fast paths share (the token estimator's byte scan,
/// the HTTP layer's header-name comparison, the client's header-line parser): every byte below 0x80.
///
/// Bytes are OR-ed together without an early exit, a loop the compiler vectorises. Pure functions, safe from any
/// thread.
package enum ASCIIBytes {
    /// Whether every byte of `bytes` is ASCII.
    package static func all(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var any: UInt8 = 0
        for b in bytes { any |= b }
        return any < 0x80
    }

    /// Whether every byte of `bytes` is ASCII.
    package static func all(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { all(UnsafeRawBufferPointer(bytes)) }

    /// Whether every UTF-8 byte of `text` is ASCII.
    package static func all(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { all($0) } ?? text.utf8.allSatisfy { $0 < 0x80 }
    }
}
