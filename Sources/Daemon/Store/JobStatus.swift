/// Where a job is in its life. `queued` → `running` (⇄ `waiting` while a question is open) →
/// one of the final states; `interrupted` is what a restart finds of a job that was running.
public enum JobStatus: String, Sendable, Codable, CaseIterable {
    case queued
    case running
    case waiting
    case succeeded
    case failed
    case cancelled
    case interrupted

    /// No further change happens to a job in this state (unless it is queued again).
    public var isFinal: Bool {
        switch self {
        case .queued, .running, .waiting: false
        case .succeeded, .failed, .cancelled, .interrupted: true
        }
    }
}
