import Foundation
import Trajectory

/// One finished step, for a live display (the CLI prints one line per event).
public struct StepEvent: Sendable {
    public var step: Int
    public var currentApp: String
    /// Nil when the reply could not be read.
    public var action: Action?
    public var parseError: String?
    public var outcome: ActionOutcome?
    public var timings: StepTimings
    /// The model call's tokens, when the backend said.
    public var tokens: StepTokens?
}
