import Foundation

extension Store {
    /// Queues a job, for phone `device` or any phone of `model` when given. `spec` must be a
    /// JSON object.
    public func enqueue(
        kind: String, spec: String, device: String? = nil, model: String? = nil, requeueOnInterrupt: Bool = false,
        at date: Date = Date()
    ) async throws(StoreError) -> JobRecord {
        guard let data = spec.data(using: .utf8), (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
            throw StoreError("a job's spec must be a JSON object")
        }
        return try await write("queue a job") { sql in
            let job = JobRecord(
                id: UUID().uuidString.lowercased(), seq: 0, kind: kind, status: .queued, device: nil,
                requestedDevice: device, spec: spec, createdAt: date, startedAt: nil, endedAt: nil,
                steps: 0, message: "", episode: nil, attempts: 0, requeueOnInterrupt: requeueOnInterrupt, requestedModel: model)
            return try await Store.insert(sql, job, event: ["status": "queued"])
        }
    }

    /// Inserts `job` at the end of the queue (its `seq` is the next one) with its first event.
    static func insert(_ sql: any SQLSession, _ job: JobRecord, event: [String: any Sendable]) async throws -> JobRecord {
        try await sql.serialize(.queueOrder)
        var job = job
        job.seq = (try await sql.queryOne("SELECT MAX(seq) AS seq FROM job", [])?.optionalInt("seq") ?? 0) + 1
        try await sql.execute(
            """
            INSERT INTO job (id, seq, kind, status, device, requested_device, spec, created_at, started_at, ended_at,
                steps, message, episode, attempts, requeue_on_interrupt, host, requested_model)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(job.id), .integer(job.seq), .text(job.kind), .text(job.status.rawValue), SQLValue(job.device),
                SQLValue(job.requestedDevice), .text(job.spec), .date(job.createdAt), SQLValue(job.startedAt),
                SQLValue(job.endedAt), SQLValue(job.steps), .text(job.message), SQLValue(job.episode),
                SQLValue(job.attempts), .bool(job.requeueOnInterrupt), SQLValue(job.host), SQLValue(job.requestedModel)
            ])
        try await appendEvent(sql, job: job.id, kind: "status", payload: event, at: job.createdAt)
        return job
    }

    /// Takes the oldest queued job that `device` (a phone of `model`) may run — one that asked
    /// for it or for its model, or for any phone — and marks it running there, on `host`. Nil
    /// when there is none. Two callers (two hosts of a fleet too) never get the same job:
    /// PostgreSQL skips the rows another claim holds.
    public func claimNext(for device: String, model: String? = nil, host: String? = nil, at date: Date = Date()) async throws(StoreError) -> JobRecord? {
        try await write("take the next job") { sql in
            guard let row = try await sql.queryOne(Self.queued + " LIMIT 1" + sql.dialect.forUpdateSkipLocked, Self.phone(device, model)) else {
                return nil
            }
            var job = try JobRecord(row: row)
            job.status = .running
            job.device = device
            job.host = host
            job.startedAt = date
            job.attempts += 1
            try await sql.execute(
                "UPDATE job SET status = ?, device = ?, host = ?, started_at = ?, attempts = ? WHERE id = ?",
                [.text(job.status.rawValue), .text(device), SQLValue(host), .date(date), SQLValue(job.attempts), .text(job.id)])
            var payload: [String: any Sendable] = ["status": "running", "device": device]
            if let host { payload["host"] = host }
            try await Store.appendEvent(sql, job: job.id, kind: "status", payload: payload, at: date)
            return job
        }
    }

    /// Whether a queued job could run on `device` (a read: nothing is taken).
    public func hasQueuedJob(for device: String, model: String? = nil) async throws(StoreError) -> Bool {
        try await read("look for a queued job") { sql in try await !sql.query(Self.queued + " LIMIT 1", Self.phone(device, model)).isEmpty }
    }

    /// The queued jobs a phone may take, in submission order (the arguments: `phone(_:_:)`).
    static let queued = """
        SELECT * FROM job WHERE status = 'queued' AND (requested_device IS NULL OR requested_device = ?)
            AND (requested_model IS NULL OR requested_model = ?) ORDER BY seq
        """

    /// A phone as `queued`'s arguments: its serial, and its model ("" when unknown: it then
    /// takes no job that asks for a model).
    static func phone(_ serial: String, _ model: String?) -> [SQLValue] { [.text(serial), .text(model ?? "")] }

    public func job(_ id: String) async throws(StoreError) -> JobRecord? {
        try await read("read job \(id)") { sql in try await Self.job(sql, id) }
    }

    static func job(_ sql: any SQLSession, _ id: String) async throws -> JobRecord? {
        try await sql.queryOne("SELECT * FROM job WHERE id = ?", [.text(id)]).map { try JobRecord(row: $0) }
    }

    /// Jobs, oldest first; only those in `status` when given.
    public func jobs(status: JobStatus? = nil) async throws(StoreError) -> [JobRecord] {
        try await read("list jobs") { sql in
            let rows =
                if let status {
                    try await sql.query("SELECT * FROM job WHERE status = ? ORDER BY seq", [.text(status.rawValue)])
                } else {
                    try await sql.query("SELECT * FROM job ORDER BY seq", [])
                }
            return try rows.map { try JobRecord(row: $0) }
        }
    }

    /// Records progress of a running job.
    public func progress(_ id: String, steps: Int, episode: String? = nil) async throws(StoreError) {
        try await write("record the progress of job \(id)") { sql in
            let changed = try await sql.execute(
                "UPDATE job SET steps = ?, episode = COALESCE(?, episode) WHERE id = ?", [SQLValue(steps), SQLValue(episode), .text(id)])
            guard changed == 1 else { throw StoreError("no job \(id)") }
        }
    }

    /// Ends a job in a final state. A job already final keeps its state (a cancel that raced the
    /// end does not turn a success into a cancellation); returns the job as stored.
    @discardableResult
    public func finish(
        _ id: String, status: JobStatus, message: String,
        at date: Date = Date()
    ) async throws(StoreError) -> JobRecord {
        guard status.isFinal else { throw StoreError("\(status.rawValue) is not a final state") }
        return try await write("finish job \(id)") { sql in
            guard let row = try await sql.queryOne("SELECT * FROM job WHERE id = ?" + sql.dialect.forUpdate, [.text(id)]) else {
                throw StoreError("no job \(id)")
            }
            var job = try JobRecord(row: row)
            guard !job.status.isFinal else { return job }
            try await Self.end(sql, &job, status: status, message: message, at: date)
            return job
        }
    }

    /// Moves `job` to a final state with its event, in the caller's transaction.
    static func end(_ sql: any SQLSession, _ job: inout JobRecord, status: JobStatus, message: String, at date: Date) async throws {
        job.status = status
        job.message = message
        job.endedAt = date
        try await sql.execute(
            "UPDATE job SET status = ?, message = ?, ended_at = ? WHERE id = ?",
            [.text(status.rawValue), .text(message), .date(date), .text(job.id)])
        try await appendEvent(sql, job: job.id, kind: "status", payload: ["status": status.rawValue, "message": message], at: date)
    }

    /// What a restart finds: jobs this host was running or waiting on when its process died
    /// become `interrupted`, and those that asked for it are queued again. Queued jobs stay
    /// queued; other hosts' jobs are theirs (nil: every job, the store has one host).
    public func recoverAfterRestart(host: String? = nil, at date: Date = Date()) async throws(StoreError) -> (interrupted: [String], requeued: [String]) {
        try await write("recover the jobs of the last run") { sql in
            let stale = "SELECT * FROM job WHERE status IN ('running', 'waiting')"
            let rows =
                if let host {
                    try await sql.query(stale + " AND (host IS NULL OR host = ?) ORDER BY seq" + sql.dialect.forUpdate, [.text(host)])
                } else {
                    try await sql.query(stale + " ORDER BY seq" + sql.dialect.forUpdate, [])
                }
            return try await Self.interrupt(
                sql, rows.map { try JobRecord(row: $0) }, at: date,
                reason: { "interrupted: the daemon stopped while the job was \($0.status.rawValue)" })
        }
    }

    /// Interrupts `jobs` (running or waiting) in the caller's transaction: their pending
    /// questions expire, and those that asked for it are queued again as new jobs.
    static func interrupt(
        _ sql: any SQLSession, _ jobs: [JobRecord], at date: Date, reason: (JobRecord) -> String
    ) async throws -> (interrupted: [String], requeued: [String]) {
        var interrupted: [String] = [], requeued: [String] = []
        for var job in jobs where !job.status.isFinal {
            try await sql.execute(
                "UPDATE question SET status = 'expired' WHERE job_id = ? AND status = 'pending'", [.text(job.id)])
            try await end(sql, &job, status: .interrupted, message: reason(job), at: date)
            interrupted.append(job.id)
            guard job.requeueOnInterrupt else { continue }
            let again = JobRecord(
                id: UUID().uuidString.lowercased(), seq: 0, kind: job.kind, status: .queued, device: nil,
                requestedDevice: job.requestedDevice, spec: job.spec, createdAt: date, startedAt: nil, endedAt: nil,
                steps: 0, message: "queued again after job \(job.id) was interrupted", episode: nil,
                attempts: job.attempts, requeueOnInterrupt: true, requestedModel: job.requestedModel)
            _ = try await insert(sql, again, event: ["status": "queued", "after": job.id])
            requeued.append(again.id)
        }
        return (interrupted, requeued)
    }
}
