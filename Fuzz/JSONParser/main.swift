import MoECore

/// libFuzzer entry: MoECore's JSON parser on arbitrary bytes. Whatever parses must serialize and parse back to
/// the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let value = try? JSONValue.parse(bytes) else { return 0 }
    let again = try? JSONValue.parse(value.serializedBytes(compact: true))
    // NaN is not equal to itself: compare the texts.
    precondition(again?.serialized(compact: true) == value.serialized(compact: true), "JSON round trip differs")
    return 0
}
