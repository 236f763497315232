/// What `run_task` asks for: the phone agent doing `task` on one phone.
public struct TaskRequest: Sendable, Equatable {
    public var task: String
    public var device: String?
    public var maxSteps: Int?
    /// `zh` or `en`.
    public var language: String?
    /// `ask`, `deny` or `allow`: what happens at a sensitive tap.
    public var onSensitive: String?
    /// An OpenAI-compatible server for this task (base URL and model name), where the server
    /// has no model of its own (the daemon).
    public var endpoint: String?
    public var model: String?

    public init(
        task: String, device: String? = nil, maxSteps: Int? = nil, language: String? = nil, onSensitive: String? = nil,
        endpoint: String? = nil, model: String? = nil
    ) {
        self.task = task
        self.device = device
        self.maxSteps = maxSteps
        self.language = language
        self.onSensitive = onSensitive
        self.endpoint = endpoint
        self.model = model
    }
}

/// An agent task as `run_task` and `task_status` report it.
public struct TaskState: Sendable, Codable, Equatable {
    public struct Question: Sendable, Codable, Equatable {
        public var id: String
        /// `confirm`, `take_over` or `interact`.
        public var kind: String
        public var prompt: String

        public init(id: String, kind: String, prompt: String) {
            self.id = id
            self.kind = kind
            self.prompt = prompt
        }
    }

    public var id: String
    /// `queued`, `running`, `waiting` (a question is open), `succeeded`, `failed`, `cancelled`
    /// or `interrupted`.
    public var status: String
    public var device: String?
    public var steps: Int
    /// The model's finish message, or what went wrong.
    public var message: String
    /// Open questions, answered with `answer_question`.
    public var questions: [Question]

    public init(id: String, status: String, device: String?, steps: Int, message: String, questions: [Question] = []) {
        self.id = id
        self.status = status
        self.device = device
        self.steps = steps
        self.message = message
        self.questions = questions
    }

    public static let finalStatuses: Set<String> = ["succeeded", "failed", "cancelled", "interrupted"]
    public var isFinal: Bool { Self.finalStatuses.contains(status) }
}

/// Runs agent tasks for `run_task`, `task_status` and `answer_question`: in this process on the
/// one phone (`tether mcp` with a model), or as jobs of the daemon.
public protocol AgentTasks: Sendable {
    func start(_ request: TaskRequest) async throws(ToolError) -> TaskState
    func status(_ id: String) async throws(ToolError) -> TaskState
    func answer(task id: String, question: String, with answer: String) async throws(ToolError) -> TaskState
}

/// No model to run tasks with: every call says so and how to give one.
public struct NoAgentTasks: AgentTasks {
    public var reason: String

    public init(reason: String) { self.reason = reason }

    public func start(_ request: TaskRequest) async throws(ToolError) -> TaskState { throw ToolError(reason) }
    public func status(_ id: String) async throws(ToolError) -> TaskState { throw ToolError(reason) }
    public func answer(task id: String, question: String, with answer: String) async throws(ToolError) -> TaskState {
        throw ToolError(reason)
    }
}
