import Foundation

/// The bytes of a file, or nil when it cannot be read.
func readFileBytes(_ path: String) -> [UInt8]? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return [UInt8](data)
}

/// A fresh random UUID string (Python's `str(uuid4())`).
func uuid4() -> String { UUID().uuidString.lowercased() }

/// Seconds since the Unix epoch.
func unixTime() -> Double { Date().timeIntervalSince1970 }
