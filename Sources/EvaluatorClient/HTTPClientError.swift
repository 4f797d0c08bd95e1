/// Why an HTTP exchange produced no response. HTTP error statuses are responses, not errors.
///
/// `description` is one line: kind, libcurl's detailed text and the URL.
package struct HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The failure classes callers act on (retry, report, stop).
    package enum Kind: String, Sendable, Equatable {
        /// No connection could be made or it broke before the response was complete (refused, DNS failure,
        /// reset, empty reply, truncated body).
        case connectionFailed = "connection failed"
        /// The request or connect timeout expired.
        case timeout = "timed out"
        /// The calling task was cancelled or the client was shut down.
        case cancelled = "cancelled"
        /// The body grew past the request's ``HTTPRequest/maxResponseBytes``; the transfer was aborted.
        case responseTooLarge = "response too large"
        /// More redirects than ``HTTPClient/Configuration/maxRedirects``.
        case tooManyRedirects = "too many redirects"
        /// Anything else libcurl reports (malformed URL, unsupported protocol, out of memory, ...).
        case other = "failed"
    }

    package var kind: Kind
    /// libcurl's error text (the error buffer when it has one), or the client's own reason.
    package var message: String
    /// The request URL.
    package var url: String

    package init(kind: Kind, message: String, url: String) {
        self.kind = kind
        self.message = message
        self.url = url
    }

    package var description: String {
        let oneLine = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        return url.isEmpty
            ? "HTTP client \(kind.rawValue): \(oneLine)" : "HTTP request \(kind.rawValue): \(oneLine) (\(url))"
    }
}
