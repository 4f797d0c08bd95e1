/// A batch record (or one of its `per_req_info` entries) that cannot be read: it is not a JSON object, or a field
/// is missing or has the wrong type. The message names the field, and the record's position when known.
package struct BatchRecordError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The offending key (`latency`, `per_req_info[2].extend_len`, …); empty when the record itself is malformed.
    package let field: String
    /// What is wrong, in words.
    package let problem: String
    /// Index of the record in the list being read, when reading a list.
    package let index: Int?

    package init(field: String, problem: String, index: Int? = nil) {
        self.field = field
        self.problem = problem
        self.index = index
    }

    package var description: String {
        let at = index.map { "batch record #\($0)" } ?? "batch record"
        return field.isEmpty ? "\(at): \(problem)" : "\(at): field '\(field)' \(problem)"
    }

    /// The same error located at list position `index`.
    func at(_ index: Int) -> BatchRecordError { BatchRecordError(field: field, problem: problem, index: index) }

    /// The same error with its field nested under `parent` (`per_req_info[1]` + `extend_len`).
    func nested(under parent: String) -> BatchRecordError {
        BatchRecordError(field: field.isEmpty ? parent : "\(parent).\(field)", problem: problem, index: index)
    }
}

/// Typed readers for record fields: ints accept integral floats (`16.0`), doubles accept ints, as Python does.
struct RecordFieldReader {
    let object: JSONObject

    private func present(_ key: String) -> JSONValue? {
        guard let v = object[key], !v.isNull else { return nil }
        return v
    }

    private func typeError(_ key: String, _ expected: String, _ v: JSONValue) -> BatchRecordError {
        BatchRecordError(field: key, problem: "must be \(expected), got \(v.pythonTypeName) \(v.serialized())")
    }

    func int(_ key: String) throws(BatchRecordError) -> Int {
        guard let v = object[key] else { throw BatchRecordError(field: key, problem: "is missing") }
        guard let i = v.intValue else { throw typeError(key, "an integer", v) }
        return i
    }

    func optionalInt(_ key: String) throws(BatchRecordError) -> Int? {
        guard let v = present(key) else { return nil }
        guard let i = v.intValue else { throw typeError(key, "an integer", v) }
        return i
    }

    func double(_ key: String) throws(BatchRecordError) -> Double {
        guard let v = object[key] else { throw BatchRecordError(field: key, problem: "is missing") }
        guard let d = v.doubleValue else { throw typeError(key, "a number", v) }
        return d
    }

    func optionalDouble(_ key: String) throws(BatchRecordError) -> Double? {
        guard let v = present(key) else { return nil }
        guard let d = v.doubleValue else { throw typeError(key, "a number", v) }
        return d
    }

    func string(_ key: String) throws(BatchRecordError) -> String {
        guard let v = object[key] else { throw BatchRecordError(field: key, problem: "is missing") }
        guard let s = v.stringValue else { throw typeError(key, "a string", v) }
        return s
    }

    func optionalString(_ key: String) throws(BatchRecordError) -> String? {
        guard let v = present(key) else { return nil }
        guard let s = v.stringValue else { throw typeError(key, "a string", v) }
        return s
    }

    /// Booleans as JSON `true`/`false`, or Python-style 0/1 integers.
    func optionalBool(_ key: String) throws(BatchRecordError) -> Bool? {
        guard let v = present(key) else { return nil }
        if let b = v.boolValue { return b }
        if case .int(let i) = v { return i != 0 }
        throw typeError(key, "a boolean", v)
    }

    /// The members whose keys are not in `known`, in their order.
    func extras(excluding known: Set<String>) -> JSONObject {
        var extras: [(key: String, value: JSONValue)] = []
        for p in object.pairs where !known.contains(p.key) { extras.append(p) }
        return extras.isEmpty ? JSONObject() : JSONObject(distinctPairs: extras)
    }
}
