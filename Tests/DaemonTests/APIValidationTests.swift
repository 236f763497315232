import Foundation
import TetherTestSupport
import Testing
@testable import Daemon

/// Hostile and wrong requests get a 4xx with a message that names the problem; never a 500.
@Suite struct APIValidationTests {
    @Test func malformedAndMistypedBodies() async throws {
        try await withDaemon { _, api in
            let notJSON = try await api.call(.POST, "/v1/jobs", body: Data("{\"task\": ".utf8))
            #expect(notJSON.status == 400 && notJSON.error?.contains("not valid JSON") == true, "\(notJSON.text)")
            let wrongType = try await api.call(.POST, "/v1/jobs", body: Data(#"{"task": 5, "backend": {"scripted": []}}"#.utf8))
            #expect(wrongType.status == 400 && wrongType.error?.contains("task") == true, "\(wrongType.text)")
            let missing = try await api.call(.POST, "/v1/jobs", body: Data(#"{"task": "x"}"#.utf8))
            #expect(missing.status == 400 && missing.error?.contains("backend") == true, "\(missing.text)")
            let twoBackends = try await api.call(.POST, "/v1/jobs", json: ["task": "x", "backend": ["scripted": [], "model_dir": "/m"]])
            #expect(twoBackends.status == 400 && twoBackends.error?.contains("exactly one") == true)
            let badSteps = try await api.call(.POST, "/v1/jobs", json: Replies.job([], extra: ["max_steps": 0]))
            #expect(badSteps.status == 400 && badSteps.error?.contains("max_steps") == true)
            let badPolicy = try await api.call(.POST, "/v1/jobs", json: Replies.job([], extra: ["on_sensitive": "maybe"]))
            #expect(badPolicy.status == 400 && badPolicy.error?.contains("on_sensitive") == true, "\(badPolicy.text)")
            let empty = try await api.call(.POST, "/v1/jobs", body: Data())
            #expect(empty.status == 400 && empty.error?.contains("empty") == true)
            let array = try await api.call(.POST, "/v1/devices", body: Data("[1,2]".utf8))
            #expect(array.status == 400)
            let address = try await api.call(.POST, "/v1/devices", json: ["address": "phone:notaport"])
            #expect(address.status == 400 && address.error?.contains("HOST:PORT") == true, "\(address.text)")
        }
    }

    @Test func aHugeBodyIsRefused() async throws {
        try await withDaemon { _, api in
            let task = String(repeating: "a", count: 3 << 20)
            let reply = try await api.call(.POST, "/v1/jobs", body: Data(#"{"task":"\#(task)","backend":{"scripted":[]}}"#.utf8))
            #expect(reply.status == 413, "\(reply.status) \(reply.text.prefix(200))")
            #expect(try await api.call(.GET, "/healthz").status == 200, "the daemon is still there")
        }
    }

    @Test func unknownJobsDevicesAndQuestions() async throws {
        try await withDaemon { _, api in
            for path in [
                "/v1/jobs/nope", "/v1/jobs/nope/steps", "/v1/jobs/nope/questions", "/v1/devices/10.0.0.1:5555",
                "/v1/devices/10.0.0.1:5555/screenshot"
            ] {
                let reply = try await api.call(.GET, path)
                #expect(reply.status == 404 && (reply.error ?? "").contains(path.contains("nope") ? "nope" : "10.0.0.1"), "\(path): \(reply.text)")
            }
            let cancel = try await api.call(.POST, "/v1/jobs/nope/cancel")
            #expect(cancel.status == 404)
            let pinned = try await api.call(.POST, "/v1/jobs", json: Replies.job([Replies.finish], device: "10.0.0.9:5555"))
            #expect(pinned.status == 404 && pinned.error?.contains("10.0.0.9:5555") == true)
            let input = try await api.call(.POST, "/v1/devices/10.0.0.1:5555/input", json: ["tap": [1, 2]])
            #expect(input.status == 404)
            let noRoute = try await api.call(.GET, "/v1/nothing-here")
            #expect(noRoute.status == 404 && noRoute.error?.contains("no route GET /v1/nothing-here") == true, "\(noRoute.text)")
            let status = try await api.call(.GET, "/v1/jobs?status=bogus")
            #expect(status.status == 400 && status.error?.contains("queued") == true)
        }
    }

    @Test func aQueuedJobIsCancelledAtOnce() async throws {
        try await withDaemon { _, api in
            // A phone nobody serves: the job waits for it.
            let address = "127.0.0.1:\(try freePort())"
            #expect(try await api.call(.POST, "/v1/devices", json: ["address": address]).status == 201)
            let submitted = try await api.call(.POST, "/v1/jobs", json: Replies.job([Replies.finish], device: address))
            #expect(submitted.status == 201)
            let id = try #require(submitted.json?["id"] as? String)
            let cancel = try await api.call(.POST, "/v1/jobs/\(id)/cancel")
            #expect(cancel.status == 200 && cancel.json?["status"] as? String == "cancelled")
            #expect(try await api.call(.GET, "/v1/jobs/\(id)").json?["status"] as? String == "cancelled")
            let again = try await api.call(.POST, "/v1/jobs/\(id)/cancel")
            #expect(again.status == 409 && again.error?.contains("already ended") == true)
            let device = try await api.call(.GET, "/v1/devices/\(address)")
            #expect(device.json?["state"] as? String == "offline")
        }
    }
}
