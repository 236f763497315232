import Foundation

/// What the parser read from one model reply.
public struct ParsedReply: Sendable, Equatable {
    /// The model's reasoning (inside `<think>`, or the text before the action when the server
    /// stripped the tags), trimmed.
    public var thinking: String
    /// The action call exactly as the model wrote it.
    public var actionText: String
    public var action: Action

    public init(thinking: String, actionText: String, action: Action) {
        self.thinking = thinking
        self.actionText = actionText
        self.action = action
    }

    /// The assistant turn as the transcript keeps it: `<think>…</think><answer>…</answer>`.
    public var transcriptText: String { "<think>\(thinking)</think><answer>\(actionText)</answer>" }
}
