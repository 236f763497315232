import Foundation
import GRDB

extension Store {
    /// Appends an event to a job's log. `payload` must be a JSON object.
    @discardableResult
    public func append(
        event kind: String, payload: [String: any Sendable], to job: String,
        at date: Date = Date()
    ) throws(StoreError) -> JobEvent {
        try write("record an event of job \(job)") { db in
            guard try JobRecord.exists(db, key: job) else { throw StoreError("no job \(job)") }
            return try Store.appendEvent(db, job: job, kind: kind, payload: payload, at: date)
        }
    }

    /// A job's events after `id` (all from 0), in order.
    public func events(of job: String, after id: Int64 = 0) throws(StoreError) -> [JobEvent] {
        try read("read the events of job \(job)") { db in
            try JobEvent.filter(JobEvent.CodingKeys.jobID == job).filter(JobEvent.CodingKeys.id > id)
                .order(JobEvent.CodingKeys.id).fetchAll(db)
        }
    }

    @discardableResult
    static func appendEvent(
        _ db: Database, job: String, kind: String, payload: [String: any Sendable],
        at date: Date
    ) throws -> JobEvent {
        guard JSONSerialization.isValidJSONObject(payload) else { throw StoreError("an event's payload must be JSON") }
        let data = try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])
        var event = JobEvent(id: nil, jobID: job, at: date, kind: kind, payload: String(decoding: data, as: UTF8.self))
        try event.insert(db)
        return event
    }
}
