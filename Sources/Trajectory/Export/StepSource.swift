/// Who chose a step's action: the model, or a person whose demonstration was recorded.
public enum StepSource: String, Sendable, Codable {
    case agent
    case human

    /// A step of an episode that says `"source": "human"` is a person's; so is one with an
    /// action and no model text (`tether record` writes none, and every model call leaves some).
    public init(_ step: StepRecord, of info: EpisodeInfo? = nil) {
        let human = info?.source == StepSource.human.rawValue || (step.modelText.isEmpty && step.action != nil)
        self = human ? .human : .agent
    }
}
