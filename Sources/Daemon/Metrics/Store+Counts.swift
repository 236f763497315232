import GRDB

extension Store {
    /// How many jobs are in each status.
    public func jobCounts() throws(StoreError) -> [JobStatus: Int] {
        try read("count the jobs") { db in
            var counts: [JobStatus: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM job GROUP BY status") {
                if let status = JobStatus(rawValue: row["status"]) { counts[status] = row["n"] }
            }
            return counts
        }
    }
}
