import FakeSLLM
import MoECore

/// The checks made on a request's headers before its body is read (docs/http.md, "Framing" and "Access"). Each
/// failure is answered at once and the connection closed, so nothing the client sends after the headers is
/// taken for another request.
///
/// A pure function of the headers: no sockets. Called on a polling thread.
struct RequestScreen: Sendable {
    var maxBodyBytes: Int
    var maxQueryParameters: Int
    var apiKey: APIKey?
    /// Which paths are open without the key: the route table's answer (``SLLMAPI/access(forPath:)``).
    var access: @Sendable (String) -> Route.Access = SLLMAPI.access(forPath:)

    /// Why a request is refused: the response to send, after which the connection closes.
    struct Refusal: Error, Sendable {
        let response: HTTPResponse
    }

    /// Checks framing, size and access, in that order.
    func check(method: String, path: String, headers: [(String, String)], queryCount: Int) -> Refusal? {
        if let r = framing(headers) { return r }
        if queryCount > maxQueryParameters {
            return Refusal(response: .detail("Too many query parameters (limit \(maxQueryParameters))", status: 400))
        }
        if let apiKey, access(path) == .keyed,
            !apiKey.accepts(authorization: headers.first { $0.0.lowercased() == "authorization" }?.1)
        {
            var r = HTTPResponse.detail("Unauthorized", status: 401)
            r.headers.append(("WWW-Authenticate", "Bearer"))
            return Refusal(response: r)
        }
        return nil
    }

    /// RFC 9112 §6: one way to frame a body. `Transfer-Encoding` other than a single `chunked`, both
    /// `Transfer-Encoding` and `Content-Length`, repeated `Content-Length`, or one that is not a decimal number
    /// are refused with 400 (as nginx does); a declared body over the limit gets 413.
    private func framing(_ headers: [(String, String)]) -> Refusal? {
        var lengths: [String] = []
        var encodings: [String] = []
        for (k, v) in headers {
            // ASCII names (all a client sends in practice) are compared byte by byte, case-folded in place;
            // others take `lowercased()` (Unicode's case folding can turn a non-ASCII letter into ASCII).
            guard ASCIIBytes.all(k) else {
                let name = k.lowercased()
                switch name {
                case "content-length": lengths.append(trim(v))
                case "transfer-encoding": encodings.append(trim(v).lowercased())
                default:
                    if let r = disguisedFraming(name) { return r }
                }
                continue
            }
            if Self.asciiName(k, is: "content-length") {
                lengths.append(trim(v))
            } else if Self.asciiName(k, is: "transfer-encoding") {
                encodings.append(trim(v).lowercased())
            } else {
                guard k.utf8.allSatisfy(RequestScreen.isTokenByte) else { return bad("Invalid header name") }
                if Self.asciiName(k, startsLike: "content-length") || Self.asciiName(k, startsLike: "transfer-encoding")
                {
                    return bad("Invalid framing header")
                }
            }
        }
        if !encodings.isEmpty {
            guard encodings == ["chunked"] else { return bad("Unsupported Transfer-Encoding") }
            guard lengths.isEmpty else { return bad("Both Content-Length and Transfer-Encoding") }
            return nil
        }
        guard let text = lengths.first else { return nil }
        guard lengths.count == 1 else { return bad("Duplicate Content-Length") }
        guard !text.isEmpty, text.utf8.count <= 19, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            // Longer than 19 digits cannot be a size this server accepts; it is still a number, so 413.
            if !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) { return tooLarge() }
            return bad("Invalid Content-Length")
        }
        guard let length = Int(text) else { return tooLarge() }
        return length > maxBodyBytes ? tooLarge() : nil
    }

    /// A header name that is not a token (whitespace before the colon: `Transfer-Encoding : chunked`), or that
    /// reads as a framing header once `_` is taken for `-` or a folded line is glued to it (libmicrohttpd 0.9.75
    /// joins an obs-folded line onto the *name*: `Content-Length:` + ` 36` arrives as `Content-Length36`). A
    /// proxy in front could take any of them for the real header, so each is refused (RFC 9112 §5.1, §5.2).
    private func disguisedFraming(_ name: String) -> Refusal? {
        guard name.utf8.allSatisfy(RequestScreen.isTokenByte) else { return bad("Invalid header name") }
        // Token bytes only by now (ASCII), so a byte map is the same replacement as Foundation's.
        let squashed =
            name.utf8.contains(UInt8(ascii: "_"))
            ? String(decoding: name.utf8.map { $0 == UInt8(ascii: "_") ? UInt8(ascii: "-") : $0 }, as: UTF8.self)
            : name
        if squashed.hasPrefix("content-length") || squashed.hasPrefix("transfer-encoding") {
            return bad("Invalid framing header")
        }
        return nil
    }

    /// Whether header name `name` is `Content-Length` or `Transfer-Encoding`, compared as ``check`` compares names
    /// (ASCII byte by byte, case-folded in place; anything else after `lowercased()`).
    static func isFramingName(_ name: String) -> Bool {
        guard ASCIIBytes.all(name) else {
            let k = name.lowercased()
            return k == "content-length" || k == "transfer-encoding"
        }
        return asciiName(name, is: "content-length") || asciiName(name, is: "transfer-encoding")
    }

    /// Whether ASCII header name `name`, in lower case, is `lower`.
    static func asciiName(_ name: String, is lower: StaticString) -> Bool {
        compare(name, lower, prefix: false)
    }

    /// Whether ASCII header name `name`, in lower case and with `_` read as `-`, starts with `lower` (the test of
    /// ``disguisedFraming(_:)``).
    static func asciiName(_ name: String, startsLike lower: StaticString) -> Bool {
        compare(name, lower, prefix: true)
    }

    private static func compare(_ name: String, _ lower: StaticString, prefix: Bool) -> Bool {
        let target = UnsafeBufferPointer(start: lower.utf8Start, count: lower.utf8CodeUnitCount)
        var i = 0
        for b in name.utf8 {
            if i == target.count { return prefix }
            var c = b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") ? b | 0x20 : b
            if prefix, c == UInt8(ascii: "_") { c = UInt8(ascii: "-") }
            guard c == target[i] else { return false }
            i += 1
        }
        return i == target.count
    }

    /// RFC 9110 §5.6.2 `tchar`.
    private static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            switch b {
            case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
                UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
                return true
            default: return false
            }
        }
    }

    private func bad(_ text: String) -> Refusal { Refusal(response: .detail(text, status: 400)) }

    private func tooLarge() -> Refusal {
        Refusal(response: .detail("Request body too large (limit \(maxBodyBytes) bytes)", status: 413))
    }

    private func trim(_ s: String) -> String {
        let blank = { (b: UInt8) in b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") }
        guard let first = s.utf8.first, let last = s.utf8.last, blank(first) || blank(last) else { return s }
        return String(s.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
