import Trajectory

extension StepTokens {
    /// Nil when the reply says nothing about tokens.
    init?(_ reply: ModelReply) {
        guard reply.promptTokens != nil || reply.completionTokens != nil || reply.reusedPromptTokens != nil else { return nil }
        self.init(prompt: reply.promptTokens, completion: reply.completionTokens, reused: reply.reusedPromptTokens)
    }
}
