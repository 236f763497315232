import Agent
import Basics
import Foundation
import Trajectory

/// Agent tasks run in this process on `tether mcp`'s one phone, one at a time: a task holds the
/// phone (direct tools are refused meanwhile) until it ends. Questions wait for
/// `answer_question`, at most `questionTimeout`, then the run goes on as if nobody were there.
/// `close()` cancels what still runs.
public actor LocalAgentTasks: AgentTasks {
    let source: SinglePhoneSource
    let backend: any ModelBackend
    let shortcuts: ShortcutLibrary
    let questionTimeout: Duration
    private var states: [String: TaskState] = [:]
    private var answers: [String: String] = [:]
    private var running: [String: Task<Void, Never>] = [:]
    private let steps = Locked<[String: Int]>([:])

    public init(source: SinglePhoneSource, backend: any ModelBackend, shortcuts: ShortcutLibrary, questionTimeout: Duration = .seconds(600)) {
        self.source = source
        self.backend = backend
        self.shortcuts = shortcuts
        self.questionTimeout = questionTimeout
    }

    public func start(_ request: TaskRequest) async throws(ToolError) -> TaskState {

        if request.endpoint != nil || request.model != nil {
            throw ToolError("this server runs tasks with the model its flags name (tether mcp --endpoint/--model); leave endpoint and model out")
        }
        let id = UUID().uuidString.lowercased().prefix(8).description
        let (serial, phone) = try await source.hold(for: id)
        if let device = request.device, device != serial {
            await source.release(id)
            throw ToolError("no device \(device): this server drives one phone, \(serial)")
        }
        let policy = request.onSensitive.flatMap(SensitivePolicy.init(rawValue:)) ?? .ask
        var configuration = AgentConfiguration()
        configuration.language = request.language.flatMap(PromptLanguage.init(rawValue:)) ?? .chinese
        configuration.maxSteps = request.maxSteps ?? 50
        let steps = self.steps
        let agent = Agent(
            phone: AndroidPhoneControl(phone: phone), backend: backend,
            operator: PolicyOperator(sensitive: policy, interactive: TaskOperator(tasks: self, task: id)),
            shortcuts: shortcuts, configuration: configuration,
            onStep: { event in steps.withLock { $0[id] = event.step } })
        states[id] = TaskState(id: id, status: "running", device: serial, steps: 0, message: "")
        running[id] = Task {
            let outcome = await agent.run(task: request.task)
            await self.finish(id, outcome)
        }
        return try status(id)
    }

    public func status(_ id: String) throws(ToolError) -> TaskState {
        guard var state = states[id] else { throw ToolError("no task \(id); run_task starts one") }
        if !state.isFinal { state.steps = steps.withLock { $0[id] ?? 0 } }
        return state
    }

    public func answer(task id: String, question: String, with answer: String) throws(ToolError) -> TaskState {
        let state = try status(id)
        guard state.questions.contains(where: { $0.id == question }) else {
            throw ToolError("task \(id) has no open question \(question); task_status lists its questions")
        }
        answers[question] = answer
        states[id]?.questions.removeAll { $0.id == question }
        if states[id]?.questions.isEmpty == true { states[id]?.status = "running" }
        return try status(id)
    }

    /// Cancels the tasks still running and waits for them to end.
    public func close() async {
        let tasks = Array(running.values)
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    func finish(_ id: String, _ outcome: Outcome) async {
        let status: String
        switch outcome.status {
        case .finished: status = "succeeded"
        case .cancelled: status = "cancelled"
        case .failed, .running: status = "failed"
        }
        states[id]?.status = status
        states[id]?.steps = outcome.steps
        states[id]?.message = outcome.message
        states[id]?.questions = []
        running[id] = nil
        await source.release(id)
    }

    func ask(_ task: String, kind: String, prompt: String) -> String {
        let question = UUID().uuidString.lowercased().prefix(8).description
        states[task]?.questions.append(.init(id: question, kind: kind, prompt: prompt))
        states[task]?.status = "waiting"
        return question
    }

    func takeAnswer(_ question: String) -> String? { answers.removeValue(forKey: question) }

    /// Gives up on a question nobody answered.
    func withdraw(_ question: String, of task: String) {
        states[task]?.questions.removeAll { $0.id == question }
        if states[task]?.status == "waiting", states[task]?.questions.isEmpty == true { states[task]?.status = "running" }
    }
}

/// The person in the loop of a local task: the MCP client, through answer_question.
struct TaskOperator: Operator {
    let tasks: LocalAgentTasks
    let task: String

    func confirm(_ request: ConfirmationRequest) async -> ConfirmationDecision {
        guard let text = await ask("confirm", request.message) else {
            return .unavailable(reason: "nobody answered the confirmation in time")
        }
        let yes = ["yes", "y", "approve", "allow", "ok", "true"].contains(text.lowercased().trimmingCharacters(in: .whitespaces))
        return yes ? .approve : .deny(reason: "the operator said: \(text)")
    }

    func takeOver(_ request: TakeOverRequest) async -> TakeOverOutcome {
        guard let text = await ask("take_over", request.message) else { return .unavailable(reason: "nobody took over in time") }
        return .done(note: text.isEmpty ? nil : text)
    }

    func interact(_ request: InteractionRequest) async -> InteractionOutcome {
        guard let text = await ask("interact", request.context) else { return .unavailable(reason: "nobody answered in time") }
        return .answer(text)
    }

    /// Puts the question and waits for its answer; nil after the timeout or when cancelled.
    func ask(_ kind: String, _ prompt: String) async -> String? {
        let question = await tasks.ask(task, kind: kind, prompt: prompt)
        let deadline = ContinuousClock.now + tasks.questionTimeout
        while ContinuousClock.now < deadline {
            if let answer = await tasks.takeAnswer(question) { return answer }
            do { try await Task.sleep(for: .milliseconds(100)) } catch { break }
        }
        await tasks.withdraw(question, of: task)
        return nil
    }
}
