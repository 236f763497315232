import Foundation

/// What `episode.json` holds (docs/trajectory.md).
public struct EpisodeInfo: Sendable, Equatable, Codable {
    /// The format this Tether writes. It reads this one and every older one.
    public static let currentFormat = 2

    public var format: Int = EpisodeInfo.currentFormat
    public var task: String
    public var startedAt: Date
    public var endedAt: Date?
    public var language: PromptLanguage
    /// The backend's own description: says "scripted" when no model was involved.
    public var backend: String
    public var sampling: SamplingOptions
    public var device: Device?
    public var systemPrompt: String
    public var outcome: Outcome
    /// Who acted: `"human"` for a recorded demonstration (`tether record`); absent for an agent run.
    public var source: String?

    public struct Device: Sendable, Equatable, Codable {
        public var serial: String?
        public var model: String?
        public init(serial: String? = nil, model: String? = nil) {
            self.serial = serial
            self.model = model
        }
    }

    public init(
        task: String, startedAt: Date, language: PromptLanguage, backend: String,
        sampling: SamplingOptions, device: Device? = nil, systemPrompt: String
    ) {
        self.task = task
        self.startedAt = startedAt
        self.language = language
        self.backend = backend
        self.sampling = sampling
        self.device = device
        self.systemPrompt = systemPrompt
        outcome = Outcome(status: .running, message: "", steps: 0)
    }

    enum CodingKeys: String, CodingKey {
        case format, task, language, backend, sampling, device, outcome, source
        case startedAt = "started_at", endedAt = "ended_at", systemPrompt = "system_prompt"
    }
}
