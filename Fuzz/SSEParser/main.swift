/// libFuzzer entry: the evaluator's SSE parser (compiled into this target as it is). The first byte chooses
/// where the input is cut into slices; the events must not depend on the cuts.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSSE(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let step = Int(data[0]) % 17 + 1
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    var whole = SSEParser()
    let expected = whole.feed(bytes)
    var sliced = SSEParser()
    var got: [SSEEvent] = []
    var i = 0
    while i < bytes.count {
        got += sliced.feed(bytes[i..<min(bytes.count, i + step)])
        i += step
    }
    precondition(got == expected, "SSE events depend on how the input was sliced")
    return 0
}
