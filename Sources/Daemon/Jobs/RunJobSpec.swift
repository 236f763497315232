import Agent
import Foundation
import Trajectory

/// What `POST /v1/jobs` takes for a `run` job: the agent on one phone. Kept in the store as it
/// came; decoded again when the job starts.
public struct RunJobSpec: Sendable, Codable, Equatable {
    public struct Backend: Sendable, Codable, Equatable {
        /// An OpenAI-compatible server: base URL, model name, key.
        public var endpoint: String?
        public var model: String?
        public var apiKey: String?
        /// A checkpoint directory run in-process.
        public var modelDir: String?
        /// Prepared replies, in order (no model): for tests and demonstrations.
        public var scripted: [String]?

        enum CodingKeys: String, CodingKey {
            case endpoint, model, scripted
            case apiKey = "api_key", modelDir = "model_dir"
        }

        public init(
            endpoint: String? = nil, model: String? = nil, apiKey: String? = nil, modelDir: String? = nil,
            scripted: [String]? = nil
        ) {
            self.endpoint = endpoint
            self.model = model
            self.apiKey = apiKey
            self.modelDir = modelDir
            self.scripted = scripted
        }

        /// The three ways to name a model may be left out but not given as null: which one a
        /// job names must never depend on how a client spells "absent".
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            endpoint = c.contains(.endpoint) ? try c.decode(String.self, forKey: .endpoint) : nil
            modelDir = c.contains(.modelDir) ? try c.decode(String.self, forKey: .modelDir) : nil
            scripted = c.contains(.scripted) ? try c.decode([String].self, forKey: .scripted) : nil
            model = try c.decodeIfPresent(String.self, forKey: .model)
            apiKey = try c.decodeIfPresent(String.self, forKey: .apiKey)
        }

        /// The backend this names: scripted replies first, then a checkpoint, then a server.
        public var choice: BackendChoice? {
            if let scripted { return .scripted(scripted) }
            if let modelDir { return .inProcess(directory: modelDir) }
            if let endpoint { return .openAI(endpoint: endpoint, model: model ?? BackendChoice.defaultModelName, apiKey: apiKey) }
            return nil
        }
    }

    public struct Retry: Sendable, Codable, Equatable {
        /// Queue the job again when its phone vanished or the daemon stopped under it.
        public var deviceLost: Bool?
        enum CodingKeys: String, CodingKey { case deviceLost = "device_lost" }
        public init(deviceLost: Bool? = nil) { self.deviceLost = deviceLost }
    }

    public var kind: String?
    public var task: String
    public var device: String?
    /// Any phone of this model (`ro.product.model`, as `GET /v1/devices` shows it), on any host.
    public var deviceModel: String?
    public var backend: Backend
    public var lang: PromptLanguage?
    public var maxSteps: Int?
    public var onSensitive: SensitivePolicy?
    /// Seconds the whole job may take.
    public var timeout: Double?
    /// Seconds a question waits for its answer before the run goes on without one.
    public var questionTimeout: Double?
    public var retry: Retry?
    /// A virtual-phone task id (`tether vphone tasks`): the job succeeds only when its check
    /// passes on the phone after the model finished.
    public var check: String?
    /// With `check`: the seed the virtual phone was served with, for a seeded task
    /// (`tether vphone serve --task ID --seed N`); the check is that seed's instance.
    public var seed: UInt64?

    enum CodingKeys: String, CodingKey {
        case kind, task, device, backend, lang, timeout, retry, check, seed
        case maxSteps = "max_steps", onSensitive = "on_sensitive", questionTimeout = "question_timeout"
        case deviceModel = "device_model"
    }

    public init(
        task: String, device: String? = nil, backend: Backend, lang: PromptLanguage? = nil, maxSteps: Int? = nil,
        onSensitive: SensitivePolicy? = nil, timeout: Double? = nil, questionTimeout: Double? = nil, retry: Retry? = nil
    ) {
        kind = "run"
        self.task = task
        self.device = device
        self.backend = backend
        self.lang = lang
        self.maxSteps = maxSteps
        self.onSensitive = onSensitive
        self.timeout = timeout
        self.questionTimeout = questionTimeout
        self.retry = retry
    }

    public var language: PromptLanguage { lang ?? .chinese }
    public var steps: Int { maxSteps ?? 50 }
    public var sensitive: SensitivePolicy { onSensitive ?? .ask }
    public var seconds: Double { timeout ?? 3600 }
    public var questionSeconds: Double { questionTimeout ?? 600 }

    /// Checks what decoding cannot: one backend, numbers in range, a task. `pools` are the
    /// model names the daemon has a pool of servers for (a backend may name one alone).
    public func validate(pools: Set<String> = []) throws(APIError) {
        if let kind, kind != "run" { throw .badRequest("\"kind\" must be \"run\" (the only kind so far), not \"\(kind)\"") }
        guard !task.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .badRequest("\"task\" is empty; say what to do") }
        guard task.count <= 10_000 else { throw .badRequest("\"task\" is longer than 10000 characters") }
        let chosen = [backend.endpoint != nil, backend.modelDir != nil, backend.scripted != nil].filter { $0 }.count
        if chosen == 0, let model = backend.model {
            guard pools.contains(model) else {
                let known = pools.isEmpty ? "it has none (tetherd --model-endpoint NAME=URL)" : "it has \(pools.sorted().joined(separator: ", "))"
                throw .badRequest("\"backend.model\" alone names a pool of model servers, and this daemon has no pool \"\(model)\": \(known)")
            }
            return try validateNumbers()
        }
        guard chosen == 1 else {
            throw .badRequest("\"backend\" needs exactly one of \"endpoint\" (with \"model\", \"api_key\"), \"model_dir\" or \"scripted\", or \"model\" alone (a pool of the daemon's)")
        }
        if let endpoint = backend.endpoint {
            guard let url = URL(string: endpoint), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                throw .badRequest("\"backend.endpoint\" must be an http(s) URL such as http://127.0.0.1:8000/v1, not \"\(endpoint)\"")
            }
        }
        try validateNumbers()
    }

    /// The checks every backend shares: the check task, the step count, the timeouts.
    func validateNumbers() throws(APIError) {
        try Self.validate(deviceModel: deviceModel)
        if let check, check.isEmpty || check.count > 200 || check.contains(where: { $0.isWhitespace }) {
            throw .badRequest("\"check\" must be a task id such as \"settings-wifi-off\" (see tether vphone tasks)")
        }
        if seed != nil, check == nil { throw .badRequest("\"seed\" picks the instance of the \"check\" task: give \"check\" with it") }
        guard (1...500).contains(steps) else { throw .badRequest("\"max_steps\" must be 1…500") }
        guard seconds > 0, seconds <= 7 * 24 * 3600 else { throw .badRequest("\"timeout\" must be 0 < seconds ≤ 604800") }
        guard questionSeconds > 0, questionSeconds <= 7 * 24 * 3600 else {
            throw .badRequest("\"question_timeout\" must be 0 < seconds ≤ 604800")
        }
    }

    /// A phone model asked for is a name, not a pattern.
    static func validate(deviceModel: String?) throws(APIError) {
        guard let deviceModel else { return }
        guard !deviceModel.trimmingCharacters(in: .whitespaces).isEmpty, deviceModel.count <= 200 else {
            throw .badRequest("\"device_model\" must be a phone model as GET /v1/devices shows it (1…200 characters), not \"\(deviceModel)\"")
        }
    }

    public func json() throws(APIError) -> String {
        do { return String(decoding: try JSONEncoder().encode(self), as: UTF8.self) } catch {
            throw APIError(.badRequest, "the job cannot be stored: \(error)")
        }
    }
}
