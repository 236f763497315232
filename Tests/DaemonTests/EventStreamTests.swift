import Foundation
import Basics
import PhoneRig
import Testing

@testable import Daemon

/// `/v1/jobs/{id}/stream`: a job's events pushed as Server-Sent Events, resumable.
@Suite(.serialized) struct EventStreamTests {
    /// The `data` lines of a `text/event-stream` body, decoded.
    static func events(_ body: String) -> [[String: Any]] {
        body.components(separatedBy: "\n").filter { $0.hasPrefix("data: ") }
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.dropFirst(6).utf8)) as? [String: Any] }
    }

    @Test func theStreamPushesEveryEventEndsWithTheJobAndResumesAfterAnId() async throws {
        try await withPhoneRig { rig in
            try await withDaemon(devices: ["127.0.0.1:\(rig.port)"]) { _, api in
                try await api.waitForDevice("127.0.0.1:\(rig.port)")
                let submitted = try await api.call(.POST, "/v1/jobs", json: Replies.job([Replies.home, Replies.finish]))
                let id = try #require(submitted.json?["id"] as? String)

                // The body ends only once the job has ended, so collecting it whole is a follow.
                let stream = try await api.call(.GET, "/v1/jobs/\(id)/stream")
                #expect(stream.status == 200)
                let events = Self.events(stream.text)
                let statuses = events.filter { $0["kind"] as? String == "status" }.compactMap { ($0["payload"] as? [String: Any])?["status"] as? String }
                #expect(statuses == ["queued", "running", "succeeded"], "\(stream.text)")
                #expect(events.filter { $0["kind"] as? String == "step" }.count == 2)
                #expect(stream.text.contains("event: step\n"))
                // Times carry milliseconds (steps are often less than a second apart).
                let at = events.first?["at"] as? String ?? ""
                #expect(at.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression) != nil, "\(at)")
                let ids = events.compactMap { $0["id"] as? Int }
                #expect(ids == ids.sorted() && Set(ids).count == ids.count)

                // Resuming after the second event gives exactly the rest.
                let second = try #require(ids.dropFirst().first)
                let rest = Self.events(try await api.call(.GET, "/v1/jobs/\(id)/stream?after=\(second)").text)
                #expect(rest.compactMap { $0["id"] as? Int } == Array(ids.dropFirst(2)))

                #expect(try await api.call(.GET, "/v1/jobs/\(id)/stream?after=-3").status == 400)
                #expect(try await api.call(.GET, "/v1/jobs/\(id)/stream?after=x").status == 400)
                #expect(try await api.call(.GET, "/v1/jobs/no-such-job/stream").status == 404)
                #expect(try await api.call(.GET, "/v1/jobs/\(id)/stream", auth: .none).status == 401)
            }
        }
    }

    @Test func aWaitingJobsQuestionIsPushedBeforeItIsAnswered() async throws {
        try await withPhoneRig { rig in
            try await withDaemon(devices: ["127.0.0.1:\(rig.port)"]) { daemon, api in
                try await api.waitForDevice("127.0.0.1:\(rig.port)")
                let job = Replies.job([Replies.sensitiveTap, Replies.finish], extra: ["on_sensitive": "ask"])
                let id = try #require(try await api.call(.POST, "/v1/jobs", json: job).json?["id"] as? String)
                // Follow in-process: the question's event must arrive while the job waits, or
                // this follower would never return (the job cannot end unanswered).
                let answered = Locked(false)
                try await daemon.store.follow(id) { event in
                    guard event.kind == "question", !answered.value else { return }
                    let questions = try await api.call(.GET, "/v1/jobs/\(id)/questions").array ?? []
                    let qid = try #require(questions.first?["id"] as? String)
                    #expect(try await api.call(.POST, "/v1/jobs/\(id)/questions/\(qid)", json: ["answer": "yes"]).status == 200)
                    answered.set(true)
                }
                #expect(answered.value)
                #expect(try await api.call(.GET, "/v1/jobs/\(id)").json?["status"] as? String == "succeeded")
            }
        }
    }
}
