import Foundation

extension Store {
    /// Cancels a job that has not started, in one transaction (a runner cannot take it halfway).
    /// Returns false when the job is not queued.
    public func cancelIfQueued(_ id: String, at date: Date = Date()) async throws(StoreError) -> Bool {
        try await write("cancel job \(id)") { sql in
            guard let row = try await sql.queryOne("SELECT * FROM job WHERE id = ?" + sql.dialect.forUpdate, [.text(id)]) else { return false }
            var job = try JobRecord(row: row)
            guard job.status == .queued else { return false }
            try await Store.end(sql, &job, status: .cancelled, message: "cancelled through the API before it started", at: date)
            return true
        }
    }
}
