import Foundation
import PhoneRig
import Testing
@testable import Daemon

/// `/v1/episodes`: a scripted job's episode listed, shown and its screenshots served, and no
/// path, however spelled, reaching a file outside an episode folder.
@Suite(.serialized) struct WebEpisodeTests {
    @Test func aJobsEpisodeIsListedShownAndItsScreenshotsServed() async throws {
        try await withPhoneRig { rig in
            let serial = "127.0.0.1:\(rig.port)"
            try await withDaemon(devices: [serial]) { _, api in
                try await api.waitForDevice(serial)
                #expect(try await api.call(.GET, "/v1/episodes").array?.isEmpty == true)
                let id = try #require(try await api.call(.POST, "/v1/jobs", json: Replies.job([Replies.home, Replies.finish])).json?["id"] as? String)
                _ = try await api.job(id) { $0["status"] as? String == "succeeded" }

                let list = try await api.call(.GET, "/v1/episodes").array ?? []
                #expect(list.count == 1)
                #expect(list.first?["id"] as? String == id && list.first?["status"] as? String == "finished")
                #expect(list.first?["steps"] as? Int == 2 && list.first?["task"] as? String == "Go home")

                let shown = try await api.call(.GET, "/v1/episodes/\(id)")
                #expect(shown.status == 200)
                let steps = shown.json?["steps"] as? [[String: Any]] ?? []
                #expect(steps.map { $0["action"] as? String } == [#"do(action="Home")"#, #"finish(message="All done.")"#])
                #expect((shown.json?["info"] as? [String: Any])?["task"] as? String == "Go home")

                let image = try await api.call(.GET, "/v1/episodes/\(id)/steps/1/screenshot")
                #expect(image.status == 200)
                #expect(Array(image.body.prefix(4)) == [0x89, 0x50, 0x4E, 0x47], "a PNG")
                #expect(try await api.call(.GET, "/v1/episodes/\(id)/steps/9/screenshot").status == 404)
                #expect(try await api.call(.GET, "/v1/episodes/\(id)/steps/x/screenshot").status == 400)
                #expect(try await api.call(.GET, "/v1/episodes/no-such-job").status == 404)
                #expect(try await api.call(.GET, "/v1/episodes/\(id)", auth: .none).status == 401)
            }
        }
    }

    @Test func noPathLeavesTheEpisodesFolder() async throws {
        try await withPhoneRig { rig in
            let serial = "127.0.0.1:\(rig.port)"
            try await withDaemon(devices: [serial]) { daemon, api in
                try await api.waitForDevice(serial)
                let id = try #require(try await api.call(.POST, "/v1/jobs", json: Replies.job([Replies.home, Replies.finish])).json?["id"] as? String)
                _ = try await api.job(id) { $0["status"] as? String == "succeeded" }
                let token = api.token

                // Names that try to climb out of the episodes folder.
                for path in [
                    "/v1/episodes/..%2Ftoken", "/v1/episodes/..%2F..%2Fstore.sqlite", "/v1/episodes/%2e%2e",
                    "/v1/episodes/.%2E/steps/1/screenshot", "/v1/episodes/\(id)%2F..%2F..%2Ftoken",
                    "/v1/episodes/..%252Ftoken/steps/1/screenshot", "/v1/episodes/\(id)/steps/1%2F..%2F..%2Ftoken/screenshot"
                ] {
                    let reply = try await api.call(.GET, path)
                    #expect((400..<500).contains(reply.status), "\(path): \(reply.status)")
                    #expect(!reply.text.contains(token), "\(path) leaked the token")
                }

                // An episode whose steps.jsonl names files outside it: a relative path and a
                // symlink, both to the token.
                let episodes = daemon.stateDirectory.appendingPathComponent("episodes")
                let evil = episodes.appendingPathComponent("evil-episode")
                try FileManager.default.copyItem(at: episodes.appendingPathComponent(id), to: evil)
                let stepsFile = evil.appendingPathComponent("steps.jsonl")
                let lines = try String(contentsOf: stepsFile, encoding: .utf8).split(separator: "\n").map(String.init)
                #expect(lines.count == 2 && lines[0].contains(#""screen":"screens/step-0001.png""#))
                let rewritten = [lines[0].replacingOccurrences(of: "screens/step-0001.png", with: "../../token"), lines[1]]
                try (rewritten.joined(separator: "\n") + "\n").write(to: stepsFile, atomically: true, encoding: .utf8)
                let shot2 = evil.appendingPathComponent("screens/step-0002.png")
                try FileManager.default.removeItem(at: shot2)
                try FileManager.default.createSymbolicLink(
                    at: shot2, withDestinationURL: daemon.stateDirectory.appendingPathComponent("token"))

                #expect(try await api.call(.GET, "/v1/episodes/evil-episode").status == 200, "the episode itself reads")
                for step in [1, 2] {
                    let reply = try await api.call(.GET, "/v1/episodes/evil-episode/steps/\(step)/screenshot")
                    #expect(reply.status == 404, "step \(step): \(reply.status)")
                    #expect(!reply.text.contains(token), "step \(step) leaked the token")
                }
                // The real episode still serves its own screenshot.
                #expect(try await api.call(.GET, "/v1/episodes/\(id)/steps/2/screenshot").status == 200)
            }
        }
    }
}
