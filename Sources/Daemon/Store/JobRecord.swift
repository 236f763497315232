import Foundation
import GRDB

/// One job in the store. `spec` is the job's own JSON (what `POST /v1/jobs` was given), kept as
/// it came so that a later kind adds fields without a migration.
public struct JobRecord: Sendable, Equatable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "job"

    public var id: String
    /// Submission order: the queue is first in, first out.
    public var seq: Int64
    public var kind: String
    public var status: JobStatus
    /// The phone the job runs (or ran) on.
    public var device: String?
    /// The phone the job asked for; nil takes any free phone.
    public var requestedDevice: String?
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

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, seq, kind, status, device, spec, steps, message, episode, attempts
        case requestedDevice = "requested_device", createdAt = "created_at", startedAt = "started_at"
        case endedAt = "ended_at", requeueOnInterrupt = "requeue_on_interrupt"
    }
}

/// Something that happened to a job (a step, a status change, a question), in order.
public struct JobEvent: Sendable, Equatable, Codable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "job_event"

    public var id: Int64?
    public var jobID: String
    public var at: Date
    public var kind: String
    /// JSON text.
    public var payload: String

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, at, kind, payload
        case jobID = "job_id"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A question a job put to a person (confirm a sensitive step, take over, choose), and its answer.
public struct QuestionRecord: Sendable, Equatable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "question"

    public enum Status: String, Sendable, Codable { case pending, answered, expired }

    public var id: String
    public var jobID: String
    public var kind: String
    public var prompt: String
    public var status: Status
    public var answer: String?
    public var askedAt: Date
    public var answeredAt: Date?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, kind, prompt, status, answer
        case jobID = "job_id", askedAt = "asked_at", answeredAt = "answered_at"
    }
}
