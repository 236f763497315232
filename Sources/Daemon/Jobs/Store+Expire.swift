import Foundation
import GRDB

extension Store {
    /// A pending question nobody answered in time: it expires and its job runs again.
    public func expire(_ questionID: String, at date: Date = Date()) throws(StoreError) {
        try write("expire question \(questionID)") { db in
            guard var question = try QuestionRecord.fetchOne(db, key: questionID), question.status == .pending else { return }
            question.status = .expired
            try question.update(db)
            if var job = try JobRecord.fetchOne(db, key: question.jobID), job.status == .waiting {
                job.status = .running
                try job.update(db)
            }
            try Store.appendEvent(db, job: question.jobID, kind: "expired", payload: ["id": questionID], at: date)
        }
    }
}
