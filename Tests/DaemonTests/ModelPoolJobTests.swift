import Foundation
import PhoneRig
import TetherTestSupport
import Testing
import Trajectory

@testable import Daemon

/// A job that names only a model runs on the daemon's pool of servers for it: here a dead server
/// and another daemon's OpenAI-compatible endpoint (`tetherd --model`), the first skipped, the
/// second answering.
@Suite(.serialized) struct ModelPoolJobTests {
    @Test func aJobNamingOnlyAModelRunsOnItsPool() async throws {
        var serving = TetherDaemon.Options()
        let engine = try ModelServerFixture.engine()
        serving.model = engine
        try await withDaemon(options: serving) { _, server in
            try await withPhoneRig { rig in
                let serial = "127.0.0.1:\(rig.port)"
                let dead = "http://127.0.0.1:\(try freePort())/v1"
                var options = TetherDaemon.Options(devices: [serial])
                options.modelEndpoints = [engine.id: [dead, "http://127.0.0.1:\(server.port)/v1"]]
                try await withDaemon(options: options) { daemon, api in
                    try await api.waitForDevice(serial)
                    // A model with no pool is refused at once, naming the pools there are.
                    let unknown = try await api.call(
                        .POST, "/v1/jobs", json: ["task": "Go home", "backend": ["model": "no-such-model"]])
                    #expect(unknown.status == 400 && unknown.error?.contains(engine.id) == true, "\(unknown.text)")

                    let job: [String: Any] = [
                        "task": "Go home", "lang": "en", "max_steps": 1,
                        "backend": ["model": engine.id, "api_key": server.token]
                    ]
                    let id = try #require(try await api.call(.POST, "/v1/jobs", json: job).json?["id"] as? String)
                    let ended = try await api.job(id) { ($0["status"] as? String).flatMap(JobStatus.init(rawValue:))?.isFinal ?? false }
                    // The dead server was tried and skipped; the served engine answered, in its own
                    // words: the tiny checkpoint's 256-token context refuses the agent's reply budget.
                    let message = ended["message"] as? String ?? ""
                    #expect(ended["status"] as? String == "failed" && message.contains("\"max_tokens\" must be 1…256"), "\(ended)")
                    let episode = try Episode(contentsOf: daemon.stateDirectory.appendingPathComponent("episodes/\(id)"))
                    #expect(episode.info.backend.contains("pool of 2"), "\(episode.info.backend)")
                    let pools = try await api.call(.GET, "/v1/model-endpoints").json?[engine.id] as? [[String: Any]] ?? []
                    #expect(pools.map { $0["healthy"] as? Bool } == [false, true], "\(pools)")
                }
            }
        }
    }
}
