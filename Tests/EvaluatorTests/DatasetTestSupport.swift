import Foundation

/// A temporary directory of its own for one test (tests run in parallel), removed by ``remove()``.
struct DatasetTempDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "/dataset-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` inside the directory and returns the file's path.
    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// `Fixtures/datasets` of this checkout, found from this source file's location.
let datasetFixturesDirectory: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }  // DatasetTestSupport.swift, EvaluatorTests, Tests
    return url.appendingPathComponent("Fixtures/datasets").path
}()
