extension Store {
    /// How many jobs are in each status.
    public func jobCounts() async throws(StoreError) -> [JobStatus: Int] {
        try await read("count the jobs") { sql in
            var counts: [JobStatus: Int] = [:]
            for row in try await sql.query("SELECT status, COUNT(*) AS n FROM job GROUP BY status", []) {
                if let status = JobStatus(rawValue: try row.string("status")) { counts[status] = try row.int("n") }
            }
            return counts
        }
    }
}
