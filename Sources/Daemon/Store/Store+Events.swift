import Foundation

extension Store {
    /// Appends an event to a job's log. `payload` must be a JSON object.
    @discardableResult
    public func append(
        event kind: String, payload: [String: any Sendable], to job: String,
        at date: Date = Date()
    ) async throws(StoreError) -> JobEvent {
        try await write("record an event of job \(job)") { sql in
            guard try await !sql.query("SELECT id FROM job WHERE id = ?", [.text(job)]).isEmpty else { throw StoreError("no job \(job)") }
            return try await Store.appendEvent(sql, job: job, kind: kind, payload: payload, at: date)
        }
    }

    /// A job's events after `id` (all from 0), in order.
    public func events(of job: String, after id: Int64 = 0) async throws(StoreError) -> [JobEvent] {
        try await read("read the events of job \(job)") { sql in
            try await sql.query("SELECT * FROM job_event WHERE job_id = ? AND id > ? ORDER BY id", [.text(job), .integer(id)])
                .map { try JobEvent(row: $0) }
        }
    }

    @discardableResult
    static func appendEvent(
        _ sql: any SQLSession, job: String, kind: String, payload: [String: any Sendable],
        at date: Date
    ) async throws -> JobEvent {
        guard JSONSerialization.isValidJSONObject(payload) else { throw StoreError("an event's payload must be JSON") }
        let data = try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])
        var event = JobEvent(id: nil, jobID: job, at: date, kind: kind, payload: String(decoding: data, as: UTF8.self))
        let row = try await sql.queryOne(
            "INSERT INTO job_event (job_id, at, kind, payload) VALUES (?, ?, ?, ?) RETURNING id",
            [.text(job), .date(date), .text(kind), .text(event.payload)])
        event.id = try row?.int64("id")
        return event
    }
}
