import Foundation
import GRDB

extension Store {
    /// A running job asks a person something: the question is pending and the job `waiting`.
    public func ask(_ job: String, kind: String, prompt: String, at date: Date = Date()) throws(StoreError) -> QuestionRecord {
        try write("put a question for job \(job)") { db in
            guard var record = try JobRecord.fetchOne(db, key: job) else { throw StoreError("no job \(job)") }
            guard record.status == .running else {
                throw StoreError("job \(job) is \(record.status.rawValue); only a running job can ask")
            }
            let question = QuestionRecord(
                id: UUID().uuidString.lowercased(), jobID: job, kind: kind, prompt: prompt,
                status: .pending, answer: nil, askedAt: date, answeredAt: nil)
            try question.insert(db)
            record.status = .waiting
            try record.update(db)
            try Store.appendEvent(db, job: job, kind: "question", payload: ["id": question.id, "kind": kind, "prompt": prompt], at: date)
            return question
        }
    }

    /// Answers a pending question; the job runs again. A question already answered or expired
    /// cannot be answered twice.
    public func answer(_ questionID: String, with answer: String, at date: Date = Date()) throws(StoreError) -> QuestionRecord {
        try write("answer question \(questionID)") { db in
            guard var question = try QuestionRecord.fetchOne(db, key: questionID) else { throw StoreError("no question \(questionID)") }
            guard question.status == .pending else {
                throw StoreError("question \(questionID) is \(question.status.rawValue), not pending")
            }
            question.status = .answered
            question.answer = answer
            question.answeredAt = date
            try question.update(db)
            if var job = try JobRecord.fetchOne(db, key: question.jobID), job.status == .waiting {
                job.status = .running
                try job.update(db)
            }
            try Store.appendEvent(db, job: question.jobID, kind: "answer", payload: ["id": questionID, "answer": answer], at: date)
            return question
        }
    }

    public func questions(of job: String) throws(StoreError) -> [QuestionRecord] {
        try read("read the questions of job \(job)") { db in
            try QuestionRecord.filter(QuestionRecord.CodingKeys.jobID == job).order(QuestionRecord.CodingKeys.askedAt).fetchAll(db)
        }
    }
}
