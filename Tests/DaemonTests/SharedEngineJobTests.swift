import Foundation
import PhoneRig
import Testing
import Trajectory

@testable import Daemon

/// A job naming the checkpoint `tetherd --model` serves runs on that engine, not a second copy.
@Suite(.serialized) struct SharedEngineJobTests {
    @Test func aJobNamingTheServedCheckpointUsesTheSharedEngine() async throws {
        try await withPhoneRig { rig in
            let serial = "127.0.0.1:\(rig.port)"
            var options = TetherDaemon.Options(devices: [serial])
            options.model = try ModelServerFixture.engine()
            try await withDaemon(options: options) { daemon, api in
                try await api.waitForDevice(serial)
                let job: [String: Any] = [
                    "task": "Go home", "lang": "en", "max_steps": 1, "backend": ["model_dir": ModelServerFixture.directory]
                ]
                let id = try #require(try await api.call(.POST, "/v1/jobs", json: job).json?["id"] as? String)
                let ended = try await api.job(id) { ($0["status"] as? String).flatMap(JobStatus.init(rawValue:))?.isFinal ?? false }
                // The tiny random checkpoint writes no action: the run fails, but on the shared engine.
                #expect(ended["status"] as? String == "failed", "\(ended)")
                let episode = try Episode(contentsOf: daemon.stateDirectory.appendingPathComponent("episodes/\(id)"))
                #expect(episode.info.backend.contains("the daemon's shared engine"), "\(episode.info.backend)")
            }
        }
    }
}
