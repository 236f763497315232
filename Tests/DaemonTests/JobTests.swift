import Foundation
import HummingbirdWSClient
import Logging
import PhoneRig
import Testing
import Trajectory
@testable import Daemon

/// Jobs on a virtual phone (the shared rig), driven through the HTTP API with a scripted model.
@Suite(.serialized) struct JobTests {
    @Test func aScriptedJobSucceedsAndStreamsItsEvents() async throws {
        try await withPhoneRig { rig in
            try await withDaemon(devices: ["127.0.0.1:\(rig.port)"]) { daemon, api in
                let serial = "127.0.0.1:\(rig.port)"
                try await api.waitForDevice(serial)
                let submitted = try await api.call(.POST, "/v1/jobs", json: Replies.job([Replies.home, Replies.finish]))
                #expect(submitted.status == 201)
                let id = try #require(submitted.json?["id"] as? String)

                // The WebSocket sends every event from the first and closes after the last.
                let messages = MessageLog()
                try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(api.port)/v1/jobs/\(id)/events",
                    configuration: .init(additionalHeaders: [.authorization: "Bearer \(api.token)"]),
                    logger: Logger(label: "test.ws")
                ) { inbound, _, _ in
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        if case .text(let text) = message { messages.add(text) }
                    }
                }
                let events = messages.all.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                let statuses = events.filter { $0["kind"] as? String == "status" }
                    .compactMap { ($0["payload"] as? [String: Any])?["status"] as? String }
                #expect(statuses == ["queued", "running", "succeeded"])
                let steps = events.filter { $0["kind"] as? String == "step" }
                #expect(steps.count == 2)
                #expect((steps.first?["payload"] as? [String: Any])?["action"] as? String == "Home")

                let job = try await api.call(.GET, "/v1/jobs/\(id)").json ?? [:]
                #expect(job["status"] as? String == "succeeded" && job["device"] as? String == serial)
                #expect(job["message"] as? String == "All done.")
                let stepList = try await api.call(.GET, "/v1/jobs/\(id)/steps").array ?? []
                #expect(stepList.count == 2)
                let episode = try Episode(contentsOf: daemon.stateDirectory.appendingPathComponent("episodes/\(id)"))
                #expect(episode.steps.count == 2 && episode.info.outcome.status == .finished)
                #expect(episode.info.device?.serial == serial)
                // The lease is back.
                try await api.waitForDevice(serial, state: "online")
                // Metrics: the job, the phone and both steps' phases.
                let metrics = try await api.call(.GET, "/metrics")
                #expect(metrics.status == 200)
                #expect(metrics.text.contains(#"tether_jobs{status="succeeded"} 1"#), "\(metrics.text)")
                #expect(metrics.text.contains(#"tether_devices{state="online"} 1"#))
                #expect(metrics.text.contains(#"tether_step_phase_seconds_count{phase="model"} 2"#))
                #expect(metrics.text.contains("tether_steps_total 2"))
            }
        }
    }

    @Test func aQuestionIsAnsweredThroughTheAPI() async throws {
        try await withPhoneRig { rig in
            try await withDaemon(devices: ["127.0.0.1:\(rig.port)"]) { _, api in
                try await api.waitForDevice("127.0.0.1:\(rig.port)")
                let submitted = try await api.call(
                    .POST, "/v1/jobs",
                    json: Replies.job(
                        [Replies.sensitiveTap, Replies.finish],
                        extra: ["on_sensitive": "ask"]))
                let id = try #require(submitted.json?["id"] as? String)
                let waiting = try await api.job(id) { $0["status"] as? String == "waiting" }
                #expect(waiting["status"] as? String == "waiting")
                #expect(try await api.call(.GET, "/v1/devices/127.0.0.1:\(rig.port)").json?["state"] as? String == "busy")
                let questions = try await api.call(.GET, "/v1/jobs/\(id)/questions").array ?? []
                #expect(questions.count == 1 && questions.first?["prompt"] as? String == "Send the message")
                let qid = try #require(questions.first?["id"] as? String)
                let wrong = try await api.call(.POST, "/v1/jobs/\(id)/questions/\(qid)", body: Data(#"{"answer": true}"#.utf8))
                #expect(wrong.status == 400 && wrong.error?.contains("answer") == true)
                let answered = try await api.call(.POST, "/v1/jobs/\(id)/questions/\(qid)", json: ["answer": "yes"])
                #expect(answered.status == 200 && answered.json?["status"] as? String == "answered")
                let twice = try await api.call(.POST, "/v1/jobs/\(id)/questions/\(qid)", json: ["answer": "yes"])
                #expect(twice.status == 409)
                let done = try await api.job(id) { ($0["status"] as? String).map { JobStatus(rawValue: $0)?.isFinal ?? false } ?? false }
                #expect(done["status"] as? String == "succeeded", "\(done)")
            }
        }
    }

    @Test func aRunningJobIsCancelledAtASafePoint() async throws {
        try await withPhoneRig { rig in
            try await withDaemon(devices: ["127.0.0.1:\(rig.port)"]) { _, api in
                try await api.waitForDevice("127.0.0.1:\(rig.port)")
                let submitted = try await api.call(
                    .POST, "/v1/jobs",
                    json: Replies.job(
                        [Replies.home, Replies.sensitiveTap, Replies.finish],
                        extra: ["on_sensitive": "ask"]))
                let id = try #require(submitted.json?["id"] as? String)
                _ = try await api.job(id) { $0["status"] as? String == "waiting" }
                let cancel = try await api.call(.POST, "/v1/jobs/\(id)/cancel")
                #expect(cancel.status == 202)
                let done = try await api.job(id) { ($0["status"] as? String).map { JobStatus(rawValue: $0)?.isFinal ?? false } ?? false }
                #expect(done["status"] as? String == "cancelled", "\(done)")
                // The step the question belonged to is recorded (its tap not made); nothing after it.
                #expect(done["steps"] as? Int == 2, "\(done)")
                try await api.waitForDevice("127.0.0.1:\(rig.port)", state: "online")
            }
        }
    }
}

/// Text frames received, in order.
final class MessageLog: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func add(_ text: String) { lock.withLock { messages.append(text) } }
    var all: [String] { lock.withLock { messages } }
}
