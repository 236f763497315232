import Foundation
import GRDB

extension Store {
    /// Cancels a job that has not started, in one transaction (a runner cannot take it halfway).
    /// Returns false when the job is not queued.
    public func cancelIfQueued(_ id: String, at date: Date = Date()) throws(StoreError) -> Bool {
        try write("cancel job \(id)") { db in
            guard var job = try JobRecord.fetchOne(db, key: id), job.status == .queued else { return false }
            job.status = .cancelled
            job.message = "cancelled through the API before it started"
            job.endedAt = date
            try job.update(db)
            try Store.appendEvent(db, job: id, kind: "status", payload: ["status": "cancelled", "message": job.message], at: date)
            return true
        }
    }
}
