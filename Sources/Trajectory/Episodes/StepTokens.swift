/// A model call's tokens: `prompt` in, `completion` out, and `reused`, the leading prompt tokens
/// served from a KV cache of an earlier call (the in-process prefix cache, or a server's prefix
/// cache reported as `usage.prompt_tokens_details.cached_tokens`).
public struct StepTokens: Sendable, Equatable, Codable {
    public var prompt: Int?
    public var completion: Int?
    public var reused: Int?

    public init(prompt: Int? = nil, completion: Int? = nil, reused: Int? = nil) {
        self.prompt = prompt
        self.completion = completion
        self.reused = reused
    }
}
