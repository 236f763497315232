import Foundation

/// A job as the API shows it.
struct JobView: Encodable {
    var id: String
    var kind: String
    var status: String
    var device: String?
    var requestedDevice: String?
    var requestedModel: String?
    var createdAt: Date
    var startedAt: Date?
    var endedAt: Date?
    var steps: Int
    var message: String
    var episode: String?
    var attempts: Int
    /// The host that runs or ran it (when the store has several).
    var host: String?
    var spec: RedactedSpec?

    enum CodingKeys: String, CodingKey {
        case id, kind, status, device, steps, message, episode, attempts, spec, host
        case requestedDevice = "requested_device", requestedModel = "requested_model", createdAt = "created_at", startedAt = "started_at", endedAt = "ended_at"
    }

    init(_ job: JobRecord, withSpec: Bool = false) {
        id = job.id
        kind = job.kind
        status = job.status.rawValue
        device = job.device
        requestedDevice = job.requestedDevice
        requestedModel = job.requestedModel
        createdAt = job.createdAt
        startedAt = job.startedAt
        endedAt = job.endedAt
        steps = job.steps
        message = job.message
        episode = job.episode
        attempts = job.attempts
        host = job.host
        if withSpec, var decoded = try? JSONDecoder().decode(RunJobSpec.self, from: Data(job.spec.utf8)) {
            if decoded.backend.apiKey != nil { decoded.backend.apiKey = "(hidden)" }
            spec = RedactedSpec(spec: decoded)
        }
    }

    /// The job's spec with its API key hidden.
    struct RedactedSpec: Encodable {
        var spec: RunJobSpec
        func encode(to encoder: any Encoder) throws { try spec.encode(to: encoder) }
    }
}

/// A job event as the API (and the WebSocket) sends it: its payload is JSON, not a string.
struct EventView {
    /// ISO 8601 with milliseconds (a value type: no formatter made per event).
    static let time = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static func json(_ event: JobEvent) -> String {
        let at = Self.time.format(event.at)
        return #"{"id":\#(event.id ?? 0),"job":"\#(event.jobID)","at":"\#(at)","kind":"\#(event.kind)","payload":\#(event.payload)}"#
    }

    static func list(_ events: [JobEvent]) -> String { "[" + events.map(json).joined(separator: ",") + "]" }
}

/// A question as the API shows it.
struct QuestionView: Encodable {
    var id: String
    var job: String
    var kind: String
    var prompt: String
    var status: String
    var answer: String?
    var askedAt: Date
    var answeredAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, job, kind, prompt, status, answer
        case askedAt = "asked_at", answeredAt = "answered_at"
    }

    init(_ q: QuestionRecord) {
        id = q.id
        job = q.jobID
        kind = q.kind
        prompt = q.prompt
        status = q.status.rawValue
        answer = q.answer
        askedAt = q.askedAt
        answeredAt = q.answeredAt
    }
}
