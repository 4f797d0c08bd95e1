import ArgumentParser
import Foundation

/// Reports a failure at run time (a file that cannot be read, a port in use) as one line on stderr and returns
/// the exit code to throw: `throw runFailure("…")`. Bad flags stay `ValidationError`s, checked before running.
func runFailure(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("fake-sllm: error: \(message)\n".utf8))
    return ExitCode.failure
}
