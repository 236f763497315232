import Trajectory
import Foundation
import Imaging
import Logging

/// The loop observe → decide → act, until the model finishes, the step limit, or a stop.
public struct Agent: Sendable {
    public var phone: any PhoneControl
    public var backend: any ModelBackend
    public var `operator`: any Operator
    public var shortcuts: ShortcutLibrary
    public var configuration: AgentConfiguration
    /// Where to record the episode (a new or empty folder); nil: not recorded.
    public var recordDirectory: URL?
    public var device: EpisodeInfo.Device?
    public var logger: Logger
    public var onStep: @Sendable (StepEvent) async -> Void
    /// The clock for Wait; tests pass one that does not sleep.
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(
        phone: any PhoneControl, backend: any ModelBackend, operator: any Operator,
        shortcuts: ShortcutLibrary = .empty, configuration: AgentConfiguration = AgentConfiguration(),
        recordDirectory: URL? = nil, device: EpisodeInfo.Device? = nil, logger: Logger = Logger(label: "tether.agent"),
        onStep: @escaping @Sendable (StepEvent) async -> Void = { _ in },
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.phone = phone
        self.backend = backend
        self.operator = `operator`
        self.shortcuts = shortcuts
        self.configuration = configuration
        self.recordDirectory = recordDirectory
        self.device = device
        self.logger = logger
        self.onStep = onStep
        self.sleep = sleep
    }

    /// Tokens of text a request may carry: the configured budget, or less when the backend's
    /// model has a smaller context — leaving a quarter of it for the reply and an eighth for the
    /// screenshot.
    var textBudget: Int {
        guard let context = backend.contextLength, context > 0 else { return configuration.contextBudget }
        let reply = min(configuration.sampling.maxTokens, context / 4)
        return min(configuration.contextBudget, max(1, context - reply - context / 8))
    }

    /// The system prompt for this phone, at this moment.
    public func systemPrompt(apps: [AppLabel], offered: [Shortcut], date: Date) -> String {
        let p = SystemPrompt(
            language: configuration.language, date: date, timeZone: configuration.timeZone,
            apps: apps, shortcuts: offered)
        if let template = configuration.systemPromptTemplate { return p.render(template: template) }
        return p.text
    }

    /// Where a run takes over from another part of the same task (`tether replay
    /// --on-divergence agent`): the episode it goes on writing, the steps already in it, and what
    /// the model is told with its first screen.
    public struct Handover: Sendable {
        public var recorder: EpisodeWriter?
        public var stepsDone: Int
        public var note: String

        public init(recorder: EpisodeWriter?, stepsDone: Int, note: String) {
            self.recorder = recorder
            self.stepsDone = stepsDone
            self.note = note
        }
    }

    /// Runs `task` to an outcome. Never throws: every failure is an outcome with a message.
    /// With a `handover`, step numbers go on from its steps, the model is told its note first,
    /// and the steps go into its episode; the run still gets its whole `maxSteps`.
    public func run(task: String, startedAt: Date = Date(), handover: Handover? = nil) async -> Outcome {
        var state = RunState()
        if let handover {
            state.step = handover.stepsDone
            state.firstStep = handover.stepsDone
            state.feedback = handover.note
            state.recorder = handover.recorder
        }
        let outcome: Outcome
        do {
            outcome = try await loop(task: task, startedAt: startedAt, state: &state)
        } catch is CancellationError {
            outcome = Outcome(status: .cancelled, message: "the run was cancelled", steps: state.step)
        } catch {
            outcome = Outcome(status: .failed, message: "\(error)", steps: state.step)
        }
        if let recorder = state.recorder {
            do { try await recorder.finish(outcome) } catch { logger.error("cannot finish the episode", metadata: ["error": "\(error)"]) }
        }
        logger.info(
            "run ended",
            metadata: [
                "status": "\(outcome.status.rawValue)", "steps": "\(outcome.steps)",
                "message": "\(outcome.message)"
            ])
        return outcome
    }

    struct RunState {
        var step = 0
        /// Steps done before this run took over (a handover); 0 for a run of its own.
        var firstStep = 0
        var feedback: String?
        var parseFailures = 0
        var repeats: [RepeatKey: Int] = [:]
        var nudged: Set<RepeatKey> = []
        var notes: [(app: String, thinking: String, image: Image)] = []
        var recorder: EpisodeWriter?
    }

    struct RepeatKey: Hashable {
        var screen: ScreenFingerprint
        var action: String
    }

    static func seconds(_ d: Duration) -> Double { d / .seconds(1) }

    func loop(task: String, startedAt: Date, state: inout RunState) async throws -> Outcome {
        if case .needsPerson(let message) = try await phone.prepare() {
            // Before any step: only a person can unlock the phone.
            switch await self.operator.takeOver(TakeOverRequest(message: message, task: task, step: 0)) {
            case .done:
                if case .needsPerson(let still) = try await phone.prepare() {
                    return Outcome(status: .failed, message: "the phone is still locked: \(still)", steps: 0)
                }
            case .unavailable(let reason):
                return Outcome(status: .failed, message: "the phone needs a person before the run can start (\(message)): \(reason)", steps: 0)
            }
        }
        let apps = try await phone.installedApps()
        let offered = shortcuts.offered(installedPackages: Set(apps.map(\.package)))
        let system = systemPrompt(apps: apps, offered: offered, date: configuration.promptDay?.date(in: configuration.timeZone) ?? startedAt)
        if let recorder = state.recorder {
            let backendName = backend.description
            try await recorder.amend { info in
                info.backend = info.backend.isEmpty ? backendName : info.backend + ", then " + backendName
                if info.systemPrompt.isEmpty { info.systemPrompt = system }
            }
        } else if let dir = recordDirectory {
            state.recorder = try EpisodeWriter(
                directory: dir,
                info: EpisodeInfo(
                    task: task, startedAt: startedAt, language: configuration.language, backend: backend.description,
                    sampling: configuration.sampling, device: device, systemPrompt: system))
        }
        var transcript = Transcript(systemPrompt: system, task: task)
        let executor = Executor(
            phone: phone, apps: apps, shortcuts: offered, timeZone: configuration.timeZone,
            maxWait: configuration.maxWait, sleep: sleep)
        let clock = ContinuousClock()

        while state.step < state.firstStep + configuration.maxSteps {
            try Task.checkCancellation()
            state.step += 1
            let stepStart = Date()
            var timings = StepTimings()

            var t0 = clock.now
            let obs = try await phone.observe()
            timings.capture = Agent.seconds(clock.now - t0)
            timings.settle = obs.settleTime.map(Agent.seconds) ?? 0
            let feedback = state.feedback
            state.feedback = nil
            transcript.addObservation(currentApp: obs.currentApp, feedback: feedback)
            let request = transcript.request(
                image: obs.image, sampling: configuration.sampling,
                budget: textBudget, counter: configuration.tokenCounter)
            t0 = clock.now
            let reply = try await backend.complete(request, onText: nil)
            timings.model = Agent.seconds(clock.now - t0)
            timings.firstText = reply.timings.firstText

            var record = StepRecord(
                step: state.step, startedAt: stepStart, currentApp: obs.currentApp,
                feedback: feedback, modelText: reply.text, timings: timings)
            record.tokens = StepTokens(reply)

            // Read the action.
            let parsed: ParsedReply
            do {
                parsed = try ActionParser.parse(reply.text)
                state.parseFailures = 0
            } catch {
                state.parseFailures += 1
                transcript.addReply(.raw(reply.text))
                record.parseError = error.description
                try await finishStep(record, image: obs.image, action: nil, outcome: nil, recorder: state.recorder)
                if state.parseFailures > configuration.parseRetries {
                    return Outcome(
                        status: .failed,
                        message: "the model's reply could not be read as an action \(state.parseFailures) times in a row: \(error.reason)",
                        steps: state.step)
                }
                state.feedback = error.correction(in: configuration.language)
                continue
            }
            transcript.addReply(.parsed(thinking: parsed.thinking, answer: parsed.actionText))
            record.thinking = parsed.thinking
            record.action = parsed.action.grammarText
            record.actionName = parsed.action.kind
            let action = parsed.action

            // Loops: the same action on the same screen.
            let key = RepeatKey(screen: ScreenFingerprint(obs.image), action: action.grammarText)
            state.repeats[key, default: 0] += 1
            let count = state.repeats[key] ?? 0
            if count >= configuration.repeatLimit + configuration.stopAfterNudge {
                let message = "stopped: the model repeated \(action.description) on an unchanged screen \(count) times"
                record.result = .init(ok: false, message: message)
                try await finishStep(record, image: obs.image, action: action, outcome: .failed(message), recorder: state.recorder)
                return Outcome(status: .failed, message: message, steps: state.step)
            }
            var nudge: String?
            if count >= configuration.repeatLimit, !state.nudged.contains(key) {
                state.nudged.insert(key)
                nudge = Agent.nudgeText(action, count: count, language: configuration.language)
            }

            // Act.
            t0 = clock.now
            let outcome: ActionOutcome
            switch action {
            case .finish(let message):
                record.result = .init(ok: true, message: message)
                try await finishStep(record, image: obs.image, action: action, outcome: .done(message), recorder: state.recorder)
                return Outcome(status: .finished, message: message, steps: state.step)

            case .tap(_, let message?):
                let decision = await self.operator.confirm(ConfirmationRequest(message: message, task: task, step: state.step))
                switch decision {
                case .approve:
                    outcome = try await executor.execute(action, screenWidth: obs.image.width, screenHeight: obs.image.height)
                case .deny(let reason):
                    outcome = .failed("The user did not allow this action (\(message)): \(reason). Do not try it again; finish and say so if the task cannot go on without it.")
                case .unavailable(let reason):
                    let text = "stopped at a sensitive action (\(message)): \(reason)"
                    record.result = .init(ok: false, message: text)
                    try await finishStep(record, image: obs.image, action: action, outcome: .failed(text), recorder: state.recorder)
                    return Outcome(status: .failed, message: text, steps: state.step)
                }

            case .takeOver(let message):
                switch await self.operator.takeOver(TakeOverRequest(message: message, task: task, step: state.step)) {
                case .done(let note):
                    outcome = .result("The user has done it by hand\(note.map { ": \($0)" } ?? ""). Continue from the current screen.")
                case .unavailable(let reason):
                    let text = "stopped: \(reason)"
                    record.result = .init(ok: false, message: text)
                    try await finishStep(record, image: obs.image, action: action, outcome: .failed(text), recorder: state.recorder)
                    return Outcome(status: .failed, message: text, steps: state.step)
                }

            case .interact:
                switch await self.operator.interact(InteractionRequest(context: parsed.thinking, task: task, step: state.step)) {
                case .answer(let answer): outcome = .result("The user answered: \(answer)")
                case .unavailable(let reason):
                    outcome = .result("No answer from the user (\(reason)). Choose the option that best fits the task yourself.")
                }

            case .note:
                state.notes.append((obs.currentApp, parsed.thinking, obs.image))
                outcome = .result("Noted this page (\(state.notes.count) noted so far).")

            case .callAPI(let instruction):
                outcome = try await callAPI(instruction, notes: state.notes, task: task)

            default:
                outcome = try await executor.execute(action, screenWidth: obs.image.width, screenHeight: obs.image.height)
            }
            record.timings.act = Agent.seconds(clock.now - t0)
            record.result = .init(ok: outcome.ok, message: outcome.message)
            try await finishStep(record, image: obs.image, action: action, outcome: outcome, recorder: state.recorder)

            var parts: [String] = []
            if outcome.tellModel { parts.append(outcome.message) }
            if let nudge { parts.append(nudge) }
            state.feedback = parts.isEmpty ? nil : parts.joined(separator: " ")
        }
        return Outcome(
            status: .failed, message: "reached the step limit (\(configuration.maxSteps)) before the model finished",
            steps: state.step)
    }

    static func nudgeText(_ action: Action, count: Int, language: PromptLanguage) -> String {
        switch language {
        case .english:
            return "You have done \(action.grammarText) on this same screen \(count) times and nothing changed. Do something else: another position, another way, Back, or finish if the task cannot be done."
        case .chinese:
            return "你已在同一屏幕上执行 \(action.grammarText) \(count) 次，屏幕没有变化。请换一种做法：换个位置、换个方式、返回，或在任务无法完成时 finish。"
        }
    }

    /// Answers an instruction from the noted pages with the same backend: the noted screenshots,
    /// each with the reasoning written when it was noted, then the instruction.
    func callAPI(_ instruction: String, notes: [(app: String, thinking: String, image: Image)], task: String) async throws -> ActionOutcome {
        guard !notes.isEmpty else {
            return .failed("Call_API needs pages noted first with Note; none are.")
        }
        let system: String
        switch configuration.language {
        case .english: system = "You answer questions about pages of a phone screen that were saved earlier. Reply with the answer only."
        case .chinese: system = "你根据之前保存的手机页面回答问题。只回复答案。"
        }
        var messages = [ModelMessage(role: .system, text: system)]
        for (i, n) in notes.suffix(4).enumerated() {
            messages.append(ModelMessage(role: .user, text: "Page \(i + 1) (\(n.app)). \(n.thinking)", image: n.image))
            messages.append(ModelMessage(role: .assistant, text: "OK"))
        }
        messages.append(ModelMessage(role: .user, text: "Task: \(task)\nInstruction: \(instruction)"))
        let reply = try await backend.complete(ModelRequest(messages: messages, sampling: configuration.sampling), onText: nil)
        let answer = Agent.answerText(reply.text)
        return .result("Call_API result: \(answer)")
    }

    /// The answer part of a reply that may use the think/answer tags.
    static func answerText(_ text: String) -> String {
        let (_, answer) = splitTags(text)
        return answer.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func splitTags(_ text: String) -> (String?, String) {
        if let a = text.range(of: "<answer>") {
            var rest = text[a.upperBound...]
            if let c = rest.range(of: "</answer>") { rest = rest[..<c.lowerBound] }
            return (nil, String(rest))
        }
        if let c = text.range(of: "</think>") { return (nil, String(text[c.upperBound...])) }
        return (nil, text)
    }

    func finishStep(
        _ record: StepRecord, image: Image, action: Action?, outcome: ActionOutcome?,
        recorder: EpisodeWriter?
    ) async throws {
        if let recorder { try await recorder.record(record, screen: image) }
        await onStep(
            StepEvent(
                step: record.step, currentApp: record.currentApp, action: action, parseError: record.parseError,
                outcome: outcome, timings: record.timings, tokens: record.tokens))
    }
}
