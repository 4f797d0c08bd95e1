/// Why a Hugging Face split could not be provided. `description` is one line meant for the user.
struct HubDownloadError: Error, Sendable, Equatable, CustomStringConvertible {
    var message: String

    init(_ message: String) { self.message = message }

    var description: String { message }

    /// The hint appended to every failure the user can work around with a local file.
    static let dataFileHint = "pass a local copy with --data-file"
}
