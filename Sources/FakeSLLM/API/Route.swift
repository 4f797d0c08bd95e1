import MoECore

/// One row of the server's route table (``SLLMAPI/routes``): method, path pattern, who may call it, and its
/// handler. The table is the routes' one home: ``SLLMAPI/handle(_:)`` dispatches on it and the HTTP layer asks it
/// which paths are open without the API key (``SLLMAPI/access(forPath:)``); docs/architecture.md,
/// "Add a route".
package struct Route: Sendable {
    /// Who may call a route, asked by the HTTP layer before the body is read (docs/http.md, "Access").
    package enum Access: Sendable, Equatable {
        /// Needs the API key when the server has one.
        case keyed
        /// Open without the key (the metrics scrape).
        case open
        /// Open without the key, and answered even over the connection limit (the liveness probe).
        case probe
    }

    /// Which API answers a route (docs/openai-mode.md).
    package enum API: Sendable, Equatable {
        /// ServerlessLLM's gateway, with FastAPI's 404/405/307 conventions over all of these rows.
        case sllm
        /// vLLM's OpenAI server, tried first on an exact method and path; its handler returns nil to let
        /// ServerlessLLM's rows answer. `serverOnly`: only on a server in the OpenAI mode (`--api openai`).
        case vllm(serverOnly: Bool)
    }

    typealias Handler = @Sendable (SLLMAPI, HTTPRequest, [String]) -> Reply?

    let method: String
    /// Path segments; `{}` matches one non-empty segment, passed to the handler.
    let pattern: String
    /// `pattern` split at `/`, once.
    private let parts: [Substring]
    let access: Access
    let api: API
    let handler: Handler

    init(_ method: String, _ pattern: String, _ access: Access = .keyed, api: API = .sllm, _ handler: @escaping Handler)
    {
        self.method = method
        self.pattern = pattern
        parts = Self.segments(of: pattern)
        self.access = access
        self.api = api
        self.handler = handler
    }

    /// `path` split at every `/` (empty segments kept), as `split(separator: "/", omittingEmptySubsequences:
    /// false)` splits it: an ASCII path byte by byte (the Character-by-Character split cost about 10,000
    /// instructions a request), any other by Characters (a `/` followed by a combining mark is no separator there).
    static func segments(of path: String) -> [Substring] {
        guard ASCIIBytes.all(path) else { return path.split(separator: "/", omittingEmptySubsequences: false) }
        let utf8 = path.utf8
        var out: [Substring] = []
        var start = utf8.startIndex
        var i = start
        while i != utf8.endIndex {
            if utf8[i] == UInt8(ascii: "/") {
                out.append(path[start..<i])
                start = utf8.index(after: i)
            }
            i = utf8.index(after: i)
        }
        out.append(path[start...])
        return out
    }

    /// The parameters when `segments` (a path split at `/`) match the pattern, else nil.
    func match(_ segments: [Substring]) -> [String]? {
        guard parts.count == segments.count else { return nil }
        var params: [String] = []
        for (p, s) in zip(parts, segments) {
            if p == "{}" {
                guard !s.isEmpty else { return nil }
                params.append(String(s))
            } else if p != s {
                return nil
            }
        }
        return params
    }
}
