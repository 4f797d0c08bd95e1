import Foundation

/// Server log lines on stderr (stdout stays free for machine-readable output).
func logInfo(_ message: String) { FileHandle.standardError.write(Data("fake-sllm: \(message)\n".utf8)) }
func logError(_ message: String) { FileHandle.standardError.write(Data("fake-sllm: warning: \(message)\n".utf8)) }
