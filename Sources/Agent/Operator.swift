import Trajectory
import Foundation

/// The human in the loop. The agent asks; an operator answers: the CLI on its terminal, the
/// daemon through its API, a policy when nobody is there. Implementations must not block a
/// thread waiting for a person; they suspend.
public protocol Operator: Sendable {
    /// A tap with consequences (`Tap` with a message): may it go ahead?
    func confirm(_ request: ConfirmationRequest) async -> ConfirmationDecision
    /// A step only a person can do (login, captcha): has it been done?
    func takeOver(_ request: TakeOverRequest) async -> TakeOverOutcome
    /// The model wants the user to choose: what did they say?
    func interact(_ request: InteractionRequest) async -> InteractionOutcome
}

public struct ConfirmationRequest: Sendable, Equatable {
    /// What the model says the tap commits to.
    public var message: String
    public var task: String
    public var step: Int
    public init(message: String, task: String, step: Int) {
        self.message = message
        self.task = task
        self.step = step
    }
}

public enum ConfirmationDecision: Sendable, Equatable {
    case approve
    /// The tap is not made; the model is told why.
    case deny(reason: String)
    /// Nobody can answer: the run stops (it must not guess on a sensitive step).
    case unavailable(reason: String)
}

public struct TakeOverRequest: Sendable, Equatable {
    public var message: String
    public var task: String
    public var step: Int
    public init(message: String, task: String, step: Int) {
        self.message = message
        self.task = task
        self.step = step
    }
}

public enum TakeOverOutcome: Sendable, Equatable {
    /// The person is done; the agent looks at the screen again.
    case done(note: String?)
    /// Nobody can take over: the run stops cleanly.
    case unavailable(reason: String)
}

public struct InteractionRequest: Sendable, Equatable {
    /// The model's reasoning, which names the options it sees.
    public var context: String
    public var task: String
    public var step: Int
    public init(context: String, task: String, step: Int) {
        self.context = context
        self.task = task
        self.step = step
    }
}

public enum InteractionOutcome: Sendable, Equatable {
    /// The user's answer, passed to the model as feedback.
    case answer(String)
    /// Nobody can answer; the model is told to choose itself.
    case unavailable(reason: String)
}

/// What to do about a sensitive tap without asking anyone, `--on-sensitive ask|deny|allow`.
public enum SensitivePolicy: String, Sendable, CaseIterable, Codable {
    /// Ask the interactive operator; with none, stop the run.
    case ask
    /// Refuse every sensitive tap; the model is told and may finish.
    case deny
    /// Allow every sensitive tap.
    case allow
}

/// An operator for runs without a person, or a filter in front of one: sensitive taps follow
/// the policy (`ask` passes them to `interactive`), take-over and interaction go to
/// `interactive` and are `unavailable` without one.
public struct PolicyOperator: Operator {
    public var sensitive: SensitivePolicy
    public var interactive: (any Operator)?

    public init(sensitive: SensitivePolicy, interactive: (any Operator)? = nil) {
        self.sensitive = sensitive
        self.interactive = interactive
    }

    public func confirm(_ request: ConfirmationRequest) async -> ConfirmationDecision {
        switch sensitive {
        case .allow: return .approve
        case .deny: return .deny(reason: "sensitive actions are refused in this run (--on-sensitive deny)")
        case .ask:
            guard let interactive else {
                return .unavailable(reason: "a sensitive action needs confirmation and nobody can answer (use --on-sensitive allow or deny for unattended runs)")
            }
            return await interactive.confirm(request)
        }
    }

    public func takeOver(_ request: TakeOverRequest) async -> TakeOverOutcome {
        guard let interactive else {
            return .unavailable(reason: "the task needs a person at the phone (\(request.message)) and this run is unattended")
        }
        return await interactive.takeOver(request)
    }

    public func interact(_ request: InteractionRequest) async -> InteractionOutcome {
        guard let interactive else { return .unavailable(reason: "nobody is available to choose") }
        return await interactive.interact(request)
    }
}

/// Answers from a prepared list, recording what was asked: for tests and scripted demos.
public actor ScriptedOperator: Operator {
    public private(set) var confirmations: [ConfirmationRequest] = []
    public private(set) var takeOvers: [TakeOverRequest] = []
    public private(set) var interactions: [InteractionRequest] = []
    private var decisions: [ConfirmationDecision]
    private var takeOverOutcomes: [TakeOverOutcome]
    private var answers: [InteractionOutcome]

    public init(
        decisions: [ConfirmationDecision] = [], takeOvers: [TakeOverOutcome] = [],
        answers: [InteractionOutcome] = []
    ) {
        self.decisions = decisions
        takeOverOutcomes = takeOvers
        self.answers = answers
    }

    public func confirm(_ request: ConfirmationRequest) async -> ConfirmationDecision {
        confirmations.append(request)
        return decisions.isEmpty ? .unavailable(reason: "no prepared decision") : decisions.removeFirst()
    }

    public func takeOver(_ request: TakeOverRequest) async -> TakeOverOutcome {
        takeOvers.append(request)
        return takeOverOutcomes.isEmpty ? .unavailable(reason: "no prepared outcome") : takeOverOutcomes.removeFirst()
    }

    public func interact(_ request: InteractionRequest) async -> InteractionOutcome {
        interactions.append(request)
        return answers.isEmpty ? .unavailable(reason: "no prepared answer") : answers.removeFirst()
    }
}
