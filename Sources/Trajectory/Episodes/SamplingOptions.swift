/// How a model is sampled. The defaults are what AutoGLM-Phone-9B is served with. Episodes keep
/// the options a run used, so the type lives with them.
public struct SamplingOptions: Sendable, Equatable, Codable {
    public var maxTokens: Int
    public var temperature: Double
    public var topP: Double
    public var frequencyPenalty: Double
    public var seed: UInt64?

    public init(
        maxTokens: Int = 3000, temperature: Double = 0.0, topP: Double = 0.85,
        frequencyPenalty: Double = 0.2, seed: UInt64? = nil
    ) {
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.frequencyPenalty = frequencyPenalty
        self.seed = seed
    }

    public static let autoGLM = SamplingOptions()

    enum CodingKeys: String, CodingKey {
        case temperature, seed
        case maxTokens = "max_tokens", topP = "top_p", frequencyPenalty = "frequency_penalty"
    }
}
