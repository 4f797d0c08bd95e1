/// How many connections the server may hold, given how many file descriptors the process may open
/// (docs/http.md, "Limits"). A pure value: the server reads the limit at start-up and logs ``note``.
///
/// The descriptor limit is split three ways: a reserve for what is not a client (the listening socket, epoll and
/// event descriptors, log and config files, `/health` and `/metrics` probes arriving when everything else is
/// busy), a band of connections libmicrohttpd accepts past the cap only to answer 503, and the cap itself.
/// A cap asked for beyond what fits is clamped, and the start-up log says so; so little that not even 16
/// connections fit is a start-up error (``problem``).
package struct ConnectionCap: Sendable, Equatable {
    /// Connections served; past it, requests other than `/health` get 503 (after idle ones are recycled).
    package let connections: Int
    /// libmicrohttpd's own limit: the cap plus the band told 503 rather than left in the kernel's queue.
    package let acceptLimit: Int
    /// Descriptors kept for everything but client connections.
    package let reserve: Int
    /// What the start-up log says when the cap was clamped; nil when the requested cap fits.
    package let note: String?

    /// Why the server cannot start under this limit (fewer than 16 connections fit); nil when it can.
    package let problem: String?

    /// The cap for `requested` connections under a soft descriptor limit of `descriptorLimit`.
    package init(requested: Int, descriptorLimit: Int) {
        reserve = max(64, min(256, descriptorLimit / 8))
        let available = descriptorLimit - reserve
        let band = max(32, available / 8)
        let fits = available - band
        problem =
            fits >= 16
            ? nil
            : "the file descriptor limit (\(descriptorLimit), ulimit -n) leaves room for \(max(0, fits)) "
                + "connections; raise it to at least \(16 + 32 + 64 + 64)"
        connections = max(1, min(requested, fits))
        acceptLimit = max(connections, min(available, connections + max(64, connections / 4)))
        note =
            connections < requested
            ? "--max-connections \(requested) lowered to \(connections): the file descriptor limit is "
                + "\(descriptorLimit) (ulimit -n), \(reserve) are kept for /health, /metrics, logs and the engine, "
                + "and \(acceptLimit - connections) for connections told 503"
            : nil
    }

    /// Descriptors the process should be allowed for `requested` connections (the soft limit is raised to this,
    /// up to the hard limit, before the cap is computed).
    static func wantedDescriptors(for requested: Int) -> Int {
        requested + max(64, requested / 4) + 256 + requested / 7
    }
}
