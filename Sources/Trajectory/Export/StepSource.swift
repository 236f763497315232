/// Who chose a step's action: the model, or a person whose demonstration was recorded.
public enum StepSource: String, Sendable, Codable {
    case agent
    case human
    /// A person's recorded step played again by `tether replay` (`"source": "replay"` on the step).
    case replay

    /// A step of an episode that says `"source": "human"` is a person's; so is one with an
    /// action and no model text (`tether record` writes none, and every model call leaves some).
    public init(_ step: StepRecord, of info: EpisodeInfo? = nil) {
        if step.source == StepSource.replay.rawValue {
            self = .replay
            return
        }
        let human = info?.source == StepSource.human.rawValue || (step.modelText.isEmpty && step.action != nil)
        self = human ? .human : .agent
    }
}
