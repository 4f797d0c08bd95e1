/// The batch recording's state after the start call.
enum RecordingStart: Sendable, Equatable {
    /// Not attempted (nothing is sent).
    case skipped
    /// Recording; `expert` says whether expert-distribution recording started too.
    case recording(instanceID: String?, expert: Bool)
    case refused(RecordingRefusal)

    var isRecording: Bool {
        if case .recording = self { return true }
        return false
    }
}
