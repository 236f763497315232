import Foundation
import Imaging
import Trajectory

/// Writes episodes as AutoGLM chat-format training samples (docs/export.md): `samples.jsonl`,
/// one line per step, holding exactly the messages the agent sent for that step — the same
/// `Transcript`, trimmed to the same budget — followed by the step's assistant turn, and the
/// step's screenshot in `images/`.
///
/// One line per step, not per episode: only the newest user turn carries its screenshot, so
/// each step is its own conversation, as the model saw it at run time.
public struct AutoGLMExport: Sendable {
    /// One chat message. A user message with the screenshot starts with `<image>` and a newline,
    /// where the production server puts the image's tokens.
    public struct Message: Sendable, Equatable, Codable {
        public var role: String
        public var content: String
    }

    /// One line of `samples.jsonl`.
    public struct Sample: Sendable, Equatable, Codable {
        /// `EPISODE/step-NNNN`.
        public var id: String
        public var episode: String
        public var step: Int
        /// `agent` or `human`.
        public var source: StepSource
        public var messages: [Message]
        /// Paths relative to the JSONL, one per `<image>` in the messages, in order.
        public var images: [String]
    }

    public struct Summary: Sendable, Equatable {
        public var episodes = 0
        public var samples = 0
        /// Steps whose reply held no readable action: they stay in later steps' history, as the
        /// agent sent them, but are not samples.
        public var skipped = 0
        /// A person's steps given thinking by `--describe`.
        public var described = 0
    }

    /// The marker of the image in a message's text.
    public static let imageTag = "<image>"

    /// Text tokens per request, as the agent's `AgentConfiguration.contextBudget`.
    public var contextBudget: Int
    public var counter: any TokenCounter
    /// Writes the reasoning of a person's steps; nil: their thinking stays empty.
    public var describer: StepDescriber?

    public init(
        contextBudget: Int = AgentConfiguration().contextBudget, counter: any TokenCounter = EstimatedTokenCounter(),
        describer: StepDescriber? = nil
    ) {
        self.contextBudget = contextBudget
        self.counter = counter
        self.describer = describer
    }

    /// Exports `episodes` into `folder`.
    public func export(_ episodes: [Episode], to folder: inout ExportFolder) async throws -> Summary {
        var summary = Summary()
        var lines: [Sample] = []
        for episode in episodes {
            let name = folder.name(for: episode)
            let (samples, described) = try await self.samples(for: episode, name: name)
            for sample in samples {
                guard let step = episode.steps.first(where: { $0.step == sample.step }), let screen = step.screen,
                    let image = sample.images.first
                else { continue }
                try folder.copy(screen, of: episode, to: image)
            }
            summary.episodes += 1
            summary.samples += samples.count
            summary.skipped += episode.steps.count - samples.count
            summary.described += described
            lines += samples
        }
        try folder.writeLines(lines, to: "samples.jsonl")
        return summary
    }

    /// The samples of one episode, with image paths under `images/NAME/`, and how many of a
    /// person's steps were described.
    public func samples(for episode: Episode, name: String) async throws -> (samples: [Sample], described: Int) {
        let replies = try await self.replies(for: episode)
        var transcript = Transcript(systemPrompt: AutoGLMExport.systemPrompt(of: episode.info), task: episode.info.task)
        let marker = try Image(width: 1, height: 1)
        var samples: [Sample] = []
        for (step, reply) in zip(episode.steps, replies.list) {
            guard let reply else { continue }
            transcript.addObservation(currentApp: step.currentApp, feedback: step.feedback)
            let request = transcript.request(
                image: step.screen == nil ? nil : marker, sampling: episode.info.sampling, budget: contextBudget,
                counter: counter)
            transcript.addReply(reply)
            guard case .parsed = reply else { continue }
            var images: [String] = []
            var messages = request.messages.map { m in
                guard m.image != nil, let screen = step.screen else { return Message(role: m.role.rawValue, content: m.text) }
                images.append(String(format: "images/%@/step-%04d.%@", name, step.step, ExportFolder.fileExtension(screen)))
                return Message(role: m.role.rawValue, content: AutoGLMExport.imageTag + "\n" + m.text)
            }
            messages.append(Message(role: "assistant", content: reply.transcriptText))
            samples.append(
                Sample(
                    id: String(format: "%@/step-%04d", name, step.step), episode: name, step: step.step,
                    source: StepSource(step, of: episode.info), messages: messages, images: images))
        }
        return (samples, replies.described)
    }

    /// The episode's system prompt; a demonstration recorded without one gets the agent's
    /// built-in prompt for its language and start date (no app list: the recording has none).
    static func systemPrompt(of info: EpisodeInfo) -> String {
        info.systemPrompt.isEmpty ? SystemPrompt(language: info.language, date: info.startedAt).text : info.systemPrompt
    }

    /// Each step's reply as the agent's transcript kept it: the model's, parsed as the agent
    /// parsed it (raw when unreadable), or a person's action with empty or described thinking;
    /// nil for a person's gesture that is no action (a pinch, a volume key), which is left out.
    func replies(for episode: Episode) async throws -> (list: [Transcript.Reply?], described: Int) {
        var list: [Transcript.Reply?] = []
        var described = 0
        for step in episode.steps {
            switch StepSource(step, of: episode.info) {
            case .agent:
                if let parsed = try? ActionParser.parse(step.modelText) {
                    list.append(.parsed(thinking: parsed.thinking, answer: parsed.actionText))
                } else {
                    list.append(.raw(step.modelText))
                }
            case .human, .replay:
                guard let answer = step.action else {
                    list.append(nil)
                    continue
                }
                var thinking = step.thinking ?? ""
                if thinking.isEmpty, let describer, let screen = step.screen {
                    thinking = try await describer.describe(
                        step: step, screen: episode.directory.appendingPathComponent(screen), task: episode.info.task,
                        language: episode.info.language)
                    described += 1
                }
                list.append(.parsed(thinking: thinking, answer: answer))
            }
        }
        return (list, described)
    }
}

extension Transcript.Reply {
    /// The assistant turn with its reasoning kept.
    var transcriptText: String { text(keepThinking: true) }
}
