import Foundation
import Trajectory

/// Settings of one run.
public struct AgentConfiguration: Sendable {
    public var language: PromptLanguage
    public var maxSteps: Int
    public var sampling: SamplingOptions
    /// Tokens of text (system prompt + history) allowed per request; the screenshot's tokens
    /// and the reply come on top. 25 480 context − 3 000 reply − ~3 400 image ≈ 19 000.
    public var contextBudget: Int
    public var tokenCounter: any TokenCounter
    /// A prompt file's text (`--system-prompt FILE`), replacing the built-in prompt.
    public var systemPromptTemplate: String?
    /// The same action on the same screen this many times draws a nudge; `stopAfter` more
    /// times after that, the run stops.
    public var repeatLimit: Int
    public var stopAfterNudge: Int
    /// Unreadable replies in a row before the run stops (1: ask again once).
    public var parseRetries: Int
    public var timeZone: TimeZone
    public var maxWait: Double
    /// The day the system prompt gives as today (nil: the day the run starts, in `timeZone`).
    public var promptDay: PromptDay?

    public init(
        language: PromptLanguage = .chinese, maxSteps: Int = 50, sampling: SamplingOptions = .autoGLM,
        contextBudget: Int = 19_000, tokenCounter: any TokenCounter = EstimatedTokenCounter(),
        systemPromptTemplate: String? = nil, repeatLimit: Int = 3, stopAfterNudge: Int = 2,
        parseRetries: Int = 1, timeZone: TimeZone = .current, maxWait: Double = 10, promptDay: PromptDay? = nil
    ) {
        self.language = language
        self.maxSteps = maxSteps
        self.sampling = sampling
        self.contextBudget = contextBudget
        self.tokenCounter = tokenCounter
        self.systemPromptTemplate = systemPromptTemplate
        self.repeatLimit = repeatLimit
        self.stopAfterNudge = stopAfterNudge
        self.parseRetries = parseRetries
        self.timeZone = timeZone
        self.maxWait = maxWait
        self.promptDay = promptDay
    }
}
