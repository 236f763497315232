import Foundation

extension Store {
    /// A running job asks a person something: the question is pending and the job `waiting`.
    public func ask(_ job: String, kind: String, prompt: String, at date: Date = Date()) async throws(StoreError) -> QuestionRecord {
        try await write("put a question for job \(job)") { sql in
            guard let row = try await sql.queryOne("SELECT status FROM job WHERE id = ?" + sql.dialect.forUpdate, [.text(job)]) else {
                throw StoreError("no job \(job)")
            }
            let status = try row.string("status")
            guard status == JobStatus.running.rawValue else {
                throw StoreError("job \(job) is \(status); only a running job can ask")
            }
            let question = QuestionRecord(
                id: UUID().uuidString.lowercased(), jobID: job, kind: kind, prompt: prompt,
                status: .pending, answer: nil, askedAt: date, answeredAt: nil)
            try await sql.execute(
                "INSERT INTO question (id, job_id, kind, prompt, status, answer, asked_at, answered_at) VALUES (?, ?, ?, ?, ?, NULL, ?, NULL)",
                [.text(question.id), .text(job), .text(kind), .text(prompt), .text(question.status.rawValue), .date(date)])
            try await sql.execute("UPDATE job SET status = 'waiting' WHERE id = ?", [.text(job)])
            try await Store.appendEvent(sql, job: job, kind: "question", payload: ["id": question.id, "kind": kind, "prompt": prompt], at: date)
            return question
        }
    }

    /// Answers a pending question; the job runs again. A question already answered or expired
    /// cannot be answered twice.
    public func answer(_ questionID: String, with answer: String, at date: Date = Date()) async throws(StoreError) -> QuestionRecord {
        try await write("answer question \(questionID)") { sql in
            guard var question = try await Self.question(sql, questionID) else { throw StoreError("no question \(questionID)") }
            guard question.status == .pending else {
                throw StoreError("question \(questionID) is \(question.status.rawValue), not pending")
            }
            question.status = .answered
            question.answer = answer
            question.answeredAt = date
            try await sql.execute(
                "UPDATE question SET status = 'answered', answer = ?, answered_at = ? WHERE id = ?",
                [.text(answer), .date(date), .text(questionID)])
            try await Self.resume(sql, question.jobID)
            try await Store.appendEvent(sql, job: question.jobID, kind: "answer", payload: ["id": questionID, "answer": answer], at: date)
            return question
        }
    }

    /// A pending question nobody answered in time: it expires and its job runs again.
    public func expire(_ questionID: String, at date: Date = Date()) async throws(StoreError) {
        try await write("expire question \(questionID)") { sql in
            guard let question = try await Self.question(sql, questionID), question.status == .pending else { return }
            try await sql.execute("UPDATE question SET status = 'expired' WHERE id = ?", [.text(questionID)])
            try await Self.resume(sql, question.jobID)
            try await Store.appendEvent(sql, job: question.jobID, kind: "expired", payload: ["id": questionID], at: date)
        }
    }

    public func questions(of job: String) async throws(StoreError) -> [QuestionRecord] {
        try await read("read the questions of job \(job)") { sql in
            try await sql.query("SELECT * FROM question WHERE job_id = ? ORDER BY asked_at", [.text(job)]).map { try QuestionRecord(row: $0) }
        }
    }

    static func question(_ sql: any SQLSession, _ id: String) async throws -> QuestionRecord? {
        try await sql.queryOne("SELECT * FROM question WHERE id = ?" + sql.dialect.forUpdate, [.text(id)]).map { try QuestionRecord(row: $0) }
    }

    /// A waiting job runs again (its question was answered or expired).
    static func resume(_ sql: any SQLSession, _ job: String) async throws {
        try await sql.execute("UPDATE job SET status = 'running' WHERE id = ? AND status = 'waiting'", [.text(job)])
    }
}
