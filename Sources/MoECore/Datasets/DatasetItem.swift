/// One evaluation sample: the text that goes into the user message and the answer it is scored against.
package struct DatasetItem: Sendable, Equatable {
    /// Position in the loaded dataset, from 0 (the `index` of MoE-CAP's and ServerlessLLM's result files).
    package var index: Int
    /// The row's own id where the dataset has one (LongBench-v2 `_id`), else nil.
    package var id: String?
    /// The user-message text (MoE-CAP's `get_input()` item).
    package var input: String
    /// The expected answer (MoE-CAP's `get_target()` item); empty when the row has none.
    package var target: String

    package init(index: Int, id: String? = nil, input: String, target: String) {
        self.index = index
        self.id = id
        self.input = input
        self.target = target
    }
}
