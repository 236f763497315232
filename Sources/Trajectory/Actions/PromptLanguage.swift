/// The language of the prompt a model was given (and of the messages written back to it).
public enum PromptLanguage: String, Sendable, Codable, CaseIterable {
    case chinese = "zh"
    case english = "en"
}
