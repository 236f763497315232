import Foundation
import GRDB

extension Store {
    /// Queues a job. `spec` must be a JSON object.
    public func enqueue(
        kind: String, spec: String, device: String? = nil, requeueOnInterrupt: Bool = false,
        at date: Date = Date()
    ) throws(StoreError) -> JobRecord {
        guard let data = spec.data(using: .utf8), (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
            throw StoreError("a job's spec must be a JSON object")
        }
        return try write("queue a job") { db in
            let seq = (try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM job") ?? 0) + 1
            let job = JobRecord(
                id: UUID().uuidString.lowercased(), seq: seq, kind: kind, status: .queued, device: nil,
                requestedDevice: device, spec: spec, createdAt: date, startedAt: nil, endedAt: nil,
                steps: 0, message: "", episode: nil, attempts: 0, requeueOnInterrupt: requeueOnInterrupt)
            try job.insert(db)
            try Store.appendEvent(db, job: job.id, kind: "status", payload: ["status": "queued"], at: date)
            return job
        }
    }

    /// Takes the oldest queued job that `device` may run (one that asked for it, or for no phone)
    /// and marks it running there. Nil when there is none. Two callers never get the same job.
    public func claimNext(for device: String, at date: Date = Date()) throws(StoreError) -> JobRecord? {
        try write("take the next job") { db in
            guard var job = try Self.queued(for: device).fetchOne(db) else { return nil }
            job.status = .running
            job.device = device
            job.startedAt = date
            job.attempts += 1
            try job.update(db)
            try Store.appendEvent(db, job: job.id, kind: "status", payload: ["status": "running", "device": device], at: date)
            return job
        }
    }

    /// Whether a queued job could run on `device` (a read: nothing is taken).
    public func hasQueuedJob(for device: String) throws(StoreError) -> Bool {
        try read("look for a queued job") { db in try Self.queued(for: device).fetchCount(db) > 0 }
    }

    /// The queued jobs `device` may take, in submission order.
    static func queued(for device: String) -> QueryInterfaceRequest<JobRecord> {
        let columns = JobRecord.CodingKeys.self
        return JobRecord.filter(columns.status == JobStatus.queued.rawValue)
            .filter(columns.requestedDevice == nil || columns.requestedDevice == device)
            .order(columns.seq)
    }

    public func job(_ id: String) throws(StoreError) -> JobRecord? {
        try read("read job \(id)") { db in try JobRecord.fetchOne(db, key: id) }
    }

    /// Jobs, oldest first; only those in `status` when given.
    public func jobs(status: JobStatus? = nil) throws(StoreError) -> [JobRecord] {
        try read("list jobs") { db in
            var request = JobRecord.order(JobRecord.CodingKeys.seq)
            if let status { request = request.filter(JobRecord.CodingKeys.status == status.rawValue) }
            return try request.fetchAll(db)
        }
    }

    /// Records progress of a running job.
    public func progress(_ id: String, steps: Int, episode: String? = nil) throws(StoreError) {
        try write("record the progress of job \(id)") { db in
            guard var job = try JobRecord.fetchOne(db, key: id) else { throw StoreError("no job \(id)") }
            job.steps = steps
            if let episode { job.episode = episode }
            try job.update(db)
        }
    }

    /// Ends a job in a final state. A job already final keeps its state (a cancel that raced the
    /// end does not turn a success into a cancellation); returns the job as stored.
    @discardableResult
    public func finish(
        _ id: String, status: JobStatus, message: String,
        at date: Date = Date()
    ) throws(StoreError) -> JobRecord {
        guard status.isFinal else { throw StoreError("\(status.rawValue) is not a final state") }
        return try write("finish job \(id)") { db in
            guard var job = try JobRecord.fetchOne(db, key: id) else { throw StoreError("no job \(id)") }
            guard !job.status.isFinal else { return job }
            job.status = status
            job.message = message
            job.endedAt = date
            try job.update(db)
            try Store.appendEvent(db, job: id, kind: "status", payload: ["status": status.rawValue, "message": message], at: date)
            return job
        }
    }

    /// What a restart finds: jobs that were running or waiting when the process died become
    /// `interrupted`, and those that asked for it are queued again. Queued jobs stay queued.
    public func recoverAfterRestart(at date: Date = Date()) throws(StoreError) -> (interrupted: [String], requeued: [String]) {
        try write("recover the jobs of the last run") { db in
            let columns = JobRecord.CodingKeys.self
            let stale =
                try JobRecord
                .filter([JobStatus.running.rawValue, JobStatus.waiting.rawValue].contains(columns.status))
                .order(columns.seq).fetchAll(db)
            var interrupted: [String] = [], requeued: [String] = []
            for var job in stale {
                let reason = "interrupted: the daemon stopped while the job was \(job.status.rawValue)"
                try QuestionRecord.filter(QuestionRecord.CodingKeys.jobID == job.id)
                    .filter(QuestionRecord.CodingKeys.status == QuestionRecord.Status.pending.rawValue)
                    .updateAll(db, QuestionRecord.CodingKeys.status.set(to: QuestionRecord.Status.expired.rawValue))
                job.status = .interrupted
                job.message = reason
                job.endedAt = date
                try job.update(db)
                try Store.appendEvent(db, job: job.id, kind: "status", payload: ["status": "interrupted", "message": reason], at: date)
                interrupted.append(job.id)
                guard job.requeueOnInterrupt else { continue }
                let seq = (try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM job") ?? 0) + 1
                var again = job
                again.id = UUID().uuidString.lowercased()
                again.seq = seq
                again.status = .queued
                again.device = nil
                again.createdAt = date
                again.startedAt = nil
                again.endedAt = nil
                again.steps = 0
                again.message = "queued again after job \(job.id) was interrupted"
                again.episode = nil
                try again.insert(db)
                try Store.appendEvent(db, job: again.id, kind: "status", payload: ["status": "queued", "after": job.id], at: date)
                requeued.append(again.id)
            }
            return (interrupted, requeued)
        }
    }
}
