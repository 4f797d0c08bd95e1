import MoECore

/// Where the rows of a dataset come from.
enum DatasetSource: Sendable {
    /// A local file (`--data-file`): JSON Lines, a JSON array, or an object with a `rows` array.
    case file(String)
    /// Rows already in memory, e.g. from the Hugging Face datasets-server; `origin` names them in messages.
    case rows([JSONValue], origin: String)
}
