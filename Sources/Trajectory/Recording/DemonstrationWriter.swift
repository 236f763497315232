import Foundation

/// Writes a person's demonstration as an episode in the agent's format: `"source": "human"`,
/// one line per step with the action in the canonical grammar, the gesture, the element under
/// the finger, the screenshot taken just before and the UI tree of that moment. `systemPrompt`
/// is the prompt the agent would have been given on this phone (empty when unknown), so an export
/// of the demonstration trains on what a run sends.
public actor DemonstrationWriter {
    public static let source = "human"
    public static let backend = "human (tether record)"

    let writer: EpisodeWriter
    public private(set) var steps = 0

    public nonisolated var directory: URL { writer.directory }

    public init(
        directory: URL, task: String, device: EpisodeInfo.Device?, screens: EpisodeWriter.ScreenFormat = .png,
        startedAt: Date = Date(), language: PromptLanguage = .english, systemPrompt: String = ""
    ) throws(EpisodeError) {
        var info = EpisodeInfo(
            task: task, startedAt: startedAt, language: language, backend: Self.backend, sampling: SamplingOptions(),
            device: device, systemPrompt: systemPrompt)
        info.source = Self.source
        writer = try EpisodeWriter(directory: directory, info: info, screens: screens)
    }

    /// Appends a step (numbered from 1) and returns its record as written.
    @discardableResult
    public func record(_ step: HumanStep) async throws(EpisodeError) -> StepRecord {
        steps += 1
        var record = StepRecord(
            step: steps, startedAt: step.startedAt, currentApp: step.screen?.currentApp ?? "", modelText: "",
            action: step.action, timings: StepTimings(act: step.gesture?.duration ?? 0))
        record.gesture = step.gesture
        record.element = step.element
        record.package = step.screen?.package
        if step.screen?.image == nil, let screen = step.screen {
            record.screenWidth = screen.width
            record.screenHeight = screen.height
        }
        return try await writer.record(record, screen: step.screen?.image, uiTree: step.screen?.uiXML)
    }

    /// Closes the episode: `finished` when the person ended it, `failed` with the reason when the
    /// phone went away or the recording broke, `cancelled` on an interrupt.
    public func finish(_ status: Outcome.Status, message: String) async throws(EpisodeError) {
        try await writer.finish(Outcome(status: status, message: message, steps: steps))
    }
}
