/// Why a Hugging Face split could not be provided. `description` is one line meant for the user.
public struct HubDownloadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    /// The hint appended to every failure the user can work around with a local file.
    static let dataFileHint = "pass a local copy with --data-file"
}
