/// Everything that can go wrong while loading or running the model, as a value with a message
/// that says what happened and what to do about it.
public enum InferenceError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A file the checkpoint needs is absent or unreadable.
    case fileUnreadable(path: String, reason: String)
    /// A JSON file is malformed or lacks a key.
    case invalidJSON(path: String, reason: String)
    /// config.json holds a value the engine cannot use.
    case invalidConfig(String)
    /// A safetensors file is malformed or truncated.
    case invalidSafetensors(path: String, reason: String)
    /// A tensor the architecture needs is not in the checkpoint.
    case missingTensor(name: String, searched: String)
    /// A tensor's shape disagrees with config.json.
    case shapeMismatch(name: String, expected: [Int], actual: [Int])
    /// A tensor is stored in a type the engine cannot read.
    case unsupportedDType(name: String, dtype: String)
    /// tokenizer.json uses a feature this tokenizer does not implement, or is malformed.
    case tokenizer(String)
    /// An image that cannot be processed (size, buffer length).
    case invalidImage(String)
    /// The prompt does not fit the model's context window.
    case promptTooLong(tokens: Int, limit: Int)
    /// The request itself is inconsistent (e.g. image count vs placeholders, bad parameters).
    case invalidRequest(String)
    /// The machine could not give a kernel the memory it needs.
    case outOfMemory(String)

    public var description: String {
        switch self {
        case let .fileUnreadable(path, reason):
            return "cannot read \(path): \(reason)"
        case let .invalidJSON(path, reason):
            return "\(path) is not valid: \(reason)"
        case let .invalidConfig(message):
            return "config.json: \(message)"
        case let .invalidSafetensors(path, reason):
            return "\(path) is not a valid safetensors file: \(reason)"
        case let .missingTensor(name, searched):
            return "the checkpoint has no tensor '\(name)' (searched \(searched)); is this a GLM-4.1V (Glm4vForConditionalGeneration) checkpoint?"
        case let .shapeMismatch(name, expected, actual):
            return "tensor '\(name)' has shape \(actual) but config.json implies \(expected); config.json and the weights disagree"
        case let .unsupportedDType(name, dtype):
            return "tensor '\(name)' is stored as \(dtype); only F32, F16 and BF16 weights are supported"
        case let .tokenizer(message):
            return "tokenizer: \(message)"
        case let .invalidImage(message):
            return "image: \(message)"
        case let .promptTooLong(tokens, limit):
            return "the prompt is \(tokens) tokens but the model's context holds \(limit); shorten the text, send fewer images or lower max_pixels"
        case let .invalidRequest(message):
            return message
        case let .outOfMemory(message):
            return "out of memory: \(message)"
        }
    }
}
