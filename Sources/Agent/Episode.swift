import Foundation
import Imaging

/// How a run ended.
public struct Outcome: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        /// Still going (only while recording).
        case running
        /// The model said finish.
        case finished
        /// Stopped by an error, a parse failure after the retry, a loop, the step limit, a
        /// denied or unanswerable operator request.
        case failed
        /// Cancelled from outside.
        case cancelled
    }

    public var status: Status
    /// The model's finish message, or what went wrong.
    public var message: String
    public var steps: Int

    public init(status: Status, message: String, steps: Int) {
        self.status = status
        self.message = message
        self.steps = steps
    }
}

/// What `episode.json` holds (docs/trajectory.md).
public struct EpisodeInfo: Sendable, Equatable, Codable {
    public var format: Int = 1
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

    public struct Device: Sendable, Equatable, Codable {
        public var serial: String?
        public var model: String?
        public init(serial: String? = nil, model: String? = nil) {
            self.serial = serial
            self.model = model
        }
    }

    public init(task: String, startedAt: Date, language: PromptLanguage, backend: String,
                sampling: SamplingOptions, device: Device? = nil, systemPrompt: String) {
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
        case format, task, language, backend, sampling, device, outcome
        case startedAt = "started_at", endedAt = "ended_at", systemPrompt = "system_prompt"
    }
}

/// One line of `steps.jsonl`.
public struct StepRecord: Sendable, Equatable, Codable {
    public var step: Int
    public var startedAt: Date
    /// The screenshot's path, relative to the episode folder.
    public var screen: String?
    public var screenWidth: Int?
    public var screenHeight: Int?
    public var currentApp: String
    /// The feedback the model was given with this screen, if any.
    public var feedback: String?
    /// Everything the model wrote, untouched.
    public var modelText: String
    public var thinking: String?
    /// The action as a canonical grammar line (`ActionParser` reads it back), nil if none.
    public var action: String?
    public var actionName: String?
    public var parseError: String?
    public var result: StepResult?
    public var timings: StepTimings
    /// Tokens of the model call, as far as the backend reported them.
    public var tokens: StepTokens?

    public struct StepResult: Sendable, Equatable, Codable {
        public var ok: Bool
        public var message: String
        public init(ok: Bool, message: String) {
            self.ok = ok
            self.message = message
        }
    }

    public init(step: Int, startedAt: Date, screen: String? = nil, screenWidth: Int? = nil, screenHeight: Int? = nil,
                currentApp: String, feedback: String? = nil, modelText: String, thinking: String? = nil,
                action: Action? = nil, parseError: String? = nil, result: StepResult? = nil,
                timings: StepTimings = StepTimings()) {
        self.step = step
        self.startedAt = startedAt
        self.screen = screen
        self.screenWidth = screenWidth
        self.screenHeight = screenHeight
        self.currentApp = currentApp
        self.feedback = feedback
        self.modelText = modelText
        self.thinking = thinking
        self.action = action?.grammarText
        actionName = action?.name
        self.parseError = parseError
        self.result = result
        self.timings = timings
    }

    enum CodingKeys: String, CodingKey {
        case step, screen, feedback, thinking, action, result, timings, tokens
        case startedAt = "started_at", screenWidth = "screen_width", screenHeight = "screen_height"
        case currentApp = "current_app", modelText = "model_text", actionName = "action_name"
        case parseError = "parse_error"
    }
}

/// A model call's tokens: `prompt` in, `completion` out, and `reused`, the leading prompt tokens
/// served from a KV cache of an earlier call (the in-process prefix cache, or a server's prefix
/// cache reported as `usage.prompt_tokens_details.cached_tokens`).
public struct StepTokens: Sendable, Equatable, Codable {
    public var prompt: Int?
    public var completion: Int?
    public var reused: Int?

    public init(prompt: Int? = nil, completion: Int? = nil, reused: Int? = nil) {
        self.prompt = prompt
        self.completion = completion
        self.reused = reused
    }

    /// Nil when the reply says nothing about tokens.
    init?(_ reply: ModelReply) {
        guard reply.promptTokens != nil || reply.completionTokens != nil || reply.reusedPromptTokens != nil else { return nil }
        self.init(prompt: reply.promptTokens, completion: reply.completionTokens, reused: reply.reusedPromptTokens)
    }
}

/// Seconds spent in each phase of a step.
public struct StepTimings: Sendable, Equatable, Codable {
    public var capture: Double = 0
    public var model: Double = 0
    public var firstText: Double?
    public var act: Double = 0
    public var settle: Double = 0

    public init(capture: Double = 0, model: Double = 0, firstText: Double? = nil, act: Double = 0, settle: Double = 0) {
        self.capture = capture
        self.model = model
        self.firstText = firstText
        self.act = act
        self.settle = settle
    }

    enum CodingKeys: String, CodingKey {
        case capture, model, act, settle
        case firstText = "first_text"
    }
}

public struct RecorderError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Writes an episode folder as the run goes: `episode.json` (rewritten at start and end),
/// `steps.jsonl` (one line appended per step) and `screens/step-NNNN.png`.
public actor EpisodeRecorder {
    public nonisolated let directory: URL
    private var info: EpisodeInfo
    private var steps: FileHandle?

    public static func makeEncoder(pretty: Bool) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            try c.encode(f.string(from: date))
        }
        return e
    }

    public static func makeDecoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { decoder in
            let c = try decoder.singleValueContainer()
            let s = try c.decode(String.self)
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let d = f.date(from: s) { return d }
            f.formatOptions = [.withInternetDateTime]
            if let d = f.date(from: s) { return d }
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "\(s) is not an ISO 8601 time")
        }
        return d
    }

    /// Creates the folder (it must be empty or absent) and writes `episode.json`.
    public init(directory: URL, info: EpisodeInfo) throws {
        self.directory = directory
        self.info = info
        let fm = FileManager.default
        if let existing = try? fm.contentsOfDirectory(atPath: directory.path), !existing.isEmpty {
            throw RecorderError(message: "the episode folder \(directory.path) is not empty; give a new folder")
        }
        do {
            try fm.createDirectory(at: directory.appendingPathComponent("screens"), withIntermediateDirectories: true)
            try Data().write(to: directory.appendingPathComponent("steps.jsonl"))
            steps = try FileHandle(forWritingTo: directory.appendingPathComponent("steps.jsonl"))
            try EpisodeRecorder.makeEncoder(pretty: true).encode(info).write(
                to: directory.appendingPathComponent("episode.json"), options: .atomic)
        } catch {
            throw RecorderError(message: "cannot create the episode folder \(directory.path): \(error.localizedDescription)")
        }
    }

    /// Saves the step's screenshot (if any) and appends its line. Returns the record as written.
    @discardableResult
    public func record(_ step: StepRecord, screen: Image?) throws -> StepRecord {
        var step = step
        if let screen {
            let name = String(format: "screens/step-%04d.png", step.step)
            do {
                try Data(try screen.pngData()).write(to: directory.appendingPathComponent(name))
            } catch {
                throw RecorderError(message: "cannot save \(name): \(error)")
            }
            step.screen = name
            step.screenWidth = screen.width
            step.screenHeight = screen.height
        }
        do {
            var line = try EpisodeRecorder.makeEncoder(pretty: false).encode(step)
            line.append(0x0A)
            try steps?.write(contentsOf: line)
        } catch {
            throw RecorderError(message: "cannot append to steps.jsonl: \(error)")
        }
        info.outcome.steps = step.step
        return step
    }

    /// Writes the outcome and closes the files.
    public func finish(_ outcome: Outcome, at date: Date = Date()) throws {
        info.outcome = outcome
        info.endedAt = date
        try? steps?.close()
        steps = nil
        do {
            try EpisodeRecorder.makeEncoder(pretty: true).encode(info).write(
                to: directory.appendingPathComponent("episode.json"), options: .atomic)
        } catch {
            throw RecorderError(message: "cannot write episode.json: \(error)")
        }
    }

    /// Reads an episode folder back.
    public static func read(directory: URL) throws -> (info: EpisodeInfo, steps: [StepRecord]) {
        let d = makeDecoder()
        let info = try d.decode(EpisodeInfo.self, from: Data(contentsOf: directory.appendingPathComponent("episode.json")))
        guard info.format == 1 else {
            throw RecorderError(message: "episode format \(info.format) is not supported; this Tether reads format 1")
        }
        let text = try String(contentsOf: directory.appendingPathComponent("steps.jsonl"), encoding: .utf8)
        let steps = try text.split(separator: "\n").map { try d.decode(StepRecord.self, from: Data($0.utf8)) }
        return (info, steps)
    }
}
