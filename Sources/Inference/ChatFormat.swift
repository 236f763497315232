/// One turn of a conversation.
public struct ChatMessage: Sendable, Equatable {
    public enum Role: String, Sendable { case system, user, assistant }
    public var role: Role
    public var text: String
    /// Images attached to a user turn; each becomes one image placeholder, placed before the text.
    public var imageCount: Int

    public init(role: Role, text: String, imageCount: Int = 0) {
        self.role = role
        self.text = text
        self.imageCount = imageCount
    }

    public static func system(_ text: String) -> ChatMessage { .init(role: .system, text: text) }
    public static func user(_ text: String, images: Int = 0) -> ChatMessage { .init(role: .user, text: text, imageCount: images) }
    /// An assistant turn; for the phone agent usually `<think>…</think><answer>…</answer>`.
    public static func assistant(_ text: String) -> ChatMessage { .init(role: .assistant, text: text) }
}

/// The GLM-4.1V chat format as the production server (vLLM, "string" content format) renders it:
///
///     [gMASK]<sop><|system|>\nSYS<|user|>\n<|begin_of_image|><|image|><|end_of_image|>\nTEXT<|assistant|>\n
///
/// A user turn with images puts one placeholder per image first, each followed by "\n", then the
/// text. Assistant turns are kept as written (`<think>…</think><answer>…</answer>`).
public enum ChatFormat {
    public static let prefix = "[gMASK]<sop>"
    public static let imagePlaceholder = "<|begin_of_image|><|image|><|end_of_image|>"

    public static func render(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) -> String {
        var out = prefix
        for m in messages {
            switch m.role {
            case .system:
                out += "<|system|>\n" + m.text
            case .user:
                out += "<|user|>\n"
                let parts = Array(repeating: imagePlaceholder, count: m.imageCount) + [m.text]
                out += parts.joined(separator: "\n")
            case .assistant:
                out += "<|assistant|>\n" + m.text
            }
        }
        if addGenerationPrompt { out += "<|assistant|>\n" }
        return out
    }

    /// Splits an answer of the form `<think>T</think><answer>A</answer>` (either part optional).
    public static func parseReply(_ text: String) -> (thinking: String?, answer: String?) {
        func between(_ open: String, _ close: String) -> String? {
            guard let o = text.range(of: open) else { return nil }
            let rest = text[o.upperBound...]
            if let c = rest.range(of: close) { return String(rest[..<c.lowerBound]) }
            return String(rest)
        }
        return (between("<think>", "</think>"), between("<answer>", "</answer>"))
    }
}
