import Logging

/// The server's log (swift-log; the executable bootstraps it on stderr with `--log-level`, docs/serving.md).
/// Levels: `notice` for start-up, registrations and instances (shown by default), `warning` for refused input
/// the operator should see, `info` for one line per request (off by default, like vLLM's request log).
let serverLog = Logger(label: "fake-sllm")
