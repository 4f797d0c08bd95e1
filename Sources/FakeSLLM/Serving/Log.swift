import Logging

/// The server's log (swift-log; the executable bootstraps it on stderr with `--log-level`, docs/serving.md).
/// Levels: `notice` for start-up, registrations and instances (shown by default), `warning` for refused input
/// the operator should see, `info` for one line per request (off by default, like vLLM's request log).
let serverLog = Logger(label: "fake-sllm")

/// A log handler that writes through `base` with control characters escaped (`\n`, `\r`, `\t`, `\u{1B}`), so
/// model names, paths and body keys a client sent cannot forge log lines or terminal sequences (docs/http.md,
/// "Access"). Thread-safe as `base` is.
package struct EscapingLogHandler: LogHandler {
    package var base: any LogHandler

    package init(_ base: any LogHandler) { self.base = base }

    package var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }

    package var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue }
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue }
    }

    package func log(event: LogEvent) {
        var event = event
        event.message = "\(EscapingLogHandler.escaped(event.message.description))"
        base.log(event: event)
    }

    /// `text` with every control character written as a Swift escape.
    package static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return text }
        var out = ""
        for u in text.unicodeScalars {
            switch u {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.properties.generalCategory == .control:
                out += "\\u{\(String(u.value, radix: 16, uppercase: true))}"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
