/// How a run ended.
public struct Outcome: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// Still going (only while recording).
        case running
        /// The model said finish.
        case finished
        /// Stopped by an error, a parse failure after the retry, a loop, the step limit, a
        /// denied or unanswerable operator request.
        case failed
        /// Cancelled from outside.
        case cancelled
    }

    public var status: Status
    /// The model's finish message, or what went wrong.
    public var message: String
    public var steps: Int

    public init(status: Status, message: String, steps: Int) {
        self.status = status
        self.message = message
        self.steps = steps
    }
}
