import AndroidPhone

/// A step that did not do what it says; the flow stops here unless the step is optional.
struct StepFailure: Error {
    var message: String
    /// The screen's texts when it failed, when known.
    var screen: [String]?
    /// Not a failure of the app: the phone went away.
    var phoneLost = false

    init(_ message: String, screen: [String]? = nil) {
        self.message = message
        self.screen = screen
    }

    /// Any error a step ran into, as a failure; a phone that went away says so.
    static func from(_ error: any Error) -> StepFailure {
        if let failure = error as? StepFailure { return failure }
        if let phone = error as? PhoneError, case .disconnected(_, let reason) = phone {
            var failure = StepFailure("the phone was lost: \(reason)")
            failure.phoneLost = true
            return failure
        }
        return StepFailure("\(error)")
    }
}
