import Trajectory

extension ActionParseError {
    /// A short user turn telling the model what to fix.
    public func correction(in language: PromptLanguage) -> String {
        switch language {
        case .english:
            return "Your last reply could not be carried out: \(reason). Reply again in the format <think>…</think><answer>…</answer>, with exactly one action from the list in the answer."
        case .chinese:
            return "上一条回复无法执行：\(reason)。请按 <think>…</think><answer>…</answer> 的格式重新回复，answer 中只写一个列表中的动作。"
        }
    }
}
