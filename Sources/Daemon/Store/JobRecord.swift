import Foundation

/// One job in the store. `spec` is the job's own JSON (what `POST /v1/jobs` was given), kept as
/// it came so that a later kind adds fields without a migration.
public struct JobRecord: Sendable, Equatable, Codable {
    public var id: String
    /// Submission order: the queue is first in, first out.
    public var seq: Int64
    public var kind: String
    public var status: JobStatus
    /// The phone the job runs (or ran) on.
    public var device: String?
    /// The phone the job asked for; nil takes any free phone.
    public var requestedDevice: String?
    /// The phone model (`ro.product.model`) the job asked for; nil takes any.
    public var requestedModel: String? = nil
    public var spec: String
    public var createdAt: Date
    public var startedAt: Date?
    public var endedAt: Date?
    public var steps: Int
    public var message: String
    /// The episode folder, relative to the state directory.
    public var episode: String?
    /// How many times the job has started.
    public var attempts: Int
    /// Whether a restart that finds it interrupted queues it again.
    public var requeueOnInterrupt: Bool
    /// The host (`tetherd --host-id`) that runs or ran it; its episode lives there.
    public var host: String? = nil

    enum CodingKeys: String, CodingKey {
        case id, seq, kind, status, device, spec, steps, message, episode, attempts, host
        case requestedDevice = "requested_device", createdAt = "created_at", startedAt = "started_at"
        case endedAt = "ended_at", requeueOnInterrupt = "requeue_on_interrupt", requestedModel = "requested_model"
    }

    init(row: SQLRow) throws(StoreError) {
        let status = try row.string("status")
        guard let known = JobStatus(rawValue: status) else { throw StoreError("a job has the unknown status \(status)") }
        id = try row.string("id")
        seq = try row.int64("seq")
        kind = try row.string("kind")
        self.status = known
        device = try row.optionalString("device")
        requestedDevice = try row.optionalString("requested_device")
        spec = try row.string("spec")
        createdAt = try row.date("created_at")
        startedAt = try row.optionalDate("started_at")
        endedAt = try row.optionalDate("ended_at")
        steps = try row.int("steps")
        message = try row.string("message")
        episode = try row.optionalString("episode")
        attempts = try row.int("attempts")
        requeueOnInterrupt = try row.bool("requeue_on_interrupt")
        host = try row.optionalString("host")
        requestedModel = try row.optionalString("requested_model")
    }

    init(
        id: String, seq: Int64, kind: String, status: JobStatus, device: String?, requestedDevice: String?,
        spec: String, createdAt: Date, startedAt: Date?, endedAt: Date?, steps: Int, message: String,
        episode: String?, attempts: Int, requeueOnInterrupt: Bool, host: String? = nil, requestedModel: String? = nil
    ) {
        self.requestedModel = requestedModel
        self.id = id
        self.seq = seq
        self.kind = kind
        self.status = status
        self.device = device
        self.requestedDevice = requestedDevice
        self.spec = spec
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.steps = steps
        self.message = message
        self.episode = episode
        self.attempts = attempts
        self.requeueOnInterrupt = requeueOnInterrupt
        self.host = host
    }
}

/// Something that happened to a job (a step, a status change, a question), in order.
public struct JobEvent: Sendable, Equatable, Codable {
    public var id: Int64?
    public var jobID: String
    public var at: Date
    public var kind: String
    /// JSON text.
    public var payload: String

    enum CodingKeys: String, CodingKey {
        case id, at, kind, payload
        case jobID = "job_id"
    }

    init(id: Int64?, jobID: String, at: Date, kind: String, payload: String) {
        self.id = id
        self.jobID = jobID
        self.at = at
        self.kind = kind
        self.payload = payload
    }

    init(row: SQLRow) throws(StoreError) {
        id = try row.int64("id")
        jobID = try row.string("job_id")
        at = try row.date("at")
        kind = try row.string("kind")
        payload = try row.string("payload")
    }
}

/// A question a job put to a person (confirm a sensitive step, take over, choose), and its answer.
public struct QuestionRecord: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable { case pending, answered, expired }

    public var id: String
    public var jobID: String
    public var kind: String
    public var prompt: String
    public var status: Status
    public var answer: String?
    public var askedAt: Date
    public var answeredAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, kind, prompt, status, answer
        case jobID = "job_id", askedAt = "asked_at", answeredAt = "answered_at"
    }

    init(
        id: String, jobID: String, kind: String, prompt: String, status: Status, answer: String?,
        askedAt: Date, answeredAt: Date?
    ) {
        self.id = id
        self.jobID = jobID
        self.kind = kind
        self.prompt = prompt
        self.status = status
        self.answer = answer
        self.askedAt = askedAt
        self.answeredAt = answeredAt
    }

    init(row: SQLRow) throws(StoreError) {
        let status = try row.string("status")
        guard let known = Status(rawValue: status) else { throw StoreError("a question has the unknown status \(status)") }
        id = try row.string("id")
        jobID = try row.string("job_id")
        kind = try row.string("kind")
        prompt = try row.string("prompt")
        self.status = known
        answer = try row.optionalString("answer")
        askedAt = try row.date("asked_at")
        answeredAt = try row.optionalDate("answered_at")
    }
}
