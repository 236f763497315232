/// Why a person could not do a step; the message names the step.
public struct PersonError: Error, Sendable, CustomStringConvertible {
    /// The step's number, from 1.
    public var step: Int
    public var action: String
    public var reason: String

    public init(step: Int, action: String, reason: String) {
        self.step = step
        self.action = action
        self.reason = reason
    }

    public var description: String { "step \(step) (\(action)): \(reason)" }
}
