import Basics
import AsyncHTTPClient
import Foundation
import PhoneRig
import TetherTestSupport
import Testing
import Trajectory
@testable import Daemon

/// A real `tetherd` killed with SIGKILL in the middle of a job: after a restart the job is
/// `interrupted` with an episode the reader can read, and the job queued behind it runs.
@Suite(.serialized) struct RestartTests {
    @Test func killNineMidJobThenRestart() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: DaemonProcess.executable), "tetherd is built")
        let scratch = TemporaryDirectory()
        let state = scratch.url.appendingPathComponent("state")
        try await withPhoneRig { rig in
            let serial = "127.0.0.1:\(rig.port)"
            let port = try freePort()
            let arguments = ["--state-dir", state.path, "--listen", "127.0.0.1:\(port)", "--device", serial]
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            var first: DaemonProcess? = try DaemonProcess(arguments, log: scratch.url.appendingPathComponent("first.log"))
            var second: DaemonProcess?
            do {
                let api = try await Self.client(http: http, port: port, state: state)
                try await api.waitForDevice(serial)
                // The first job stops at a question (waiting); the second waits for the phone.
                let a = try await api.call(
                    .POST, "/v1/jobs",
                    json: Replies.job(
                        [Replies.home, Replies.sensitiveTap, Replies.finish],
                        extra: ["on_sensitive": "ask"]))
                let interrupted = try #require(a.json?["id"] as? String)
                _ = try await api.job(interrupted) { $0["status"] as? String == "waiting" }
                let b = try await api.call(.POST, "/v1/jobs", json: Replies.job([Replies.home, Replies.finish]))
                let queued = try #require(b.json?["id"] as? String)
                #expect(try await api.call(.GET, "/v1/jobs/\(queued)").json?["status"] as? String == "queued")

                let killed = await first?.kill(SIGKILL)
                #expect(killed == 128 + SIGKILL)
                first = nil
                second = try DaemonProcess(arguments, log: scratch.url.appendingPathComponent("second.log"))
                let again = try await Self.client(http: http, port: port, state: state)
                let after = try await again.call(.GET, "/v1/jobs/\(interrupted)").json ?? [:]
                #expect(after["status"] as? String == "interrupted", "\(after)")
                let episode = try Episode(contentsOf: state.appendingPathComponent("episodes/\(interrupted)"))
                #expect(episode.steps.count == 1 && episode.steps.first?.action == "do(action=\"Home\")")
                let done = try await again.job(queued) { $0["status"] as? String == "succeeded" }
                #expect(done["status"] as? String == "succeeded", "\(done)")

                // SIGTERM stops it gracefully, with status 0: a job waiting for an answer ends
                // interrupted, its episode finished.
                let c = try await again.call(
                    .POST, "/v1/jobs",
                    json: Replies.job(
                        [Replies.sensitiveTap, Replies.finish],
                        extra: ["on_sensitive": "ask"]))
                let stoppedJob = try #require(c.json?["id"] as? String)
                _ = try await again.job(stoppedJob) { $0["status"] as? String == "waiting" }
                let stopped = await second?.kill(SIGTERM)
                #expect(stopped == 0, "\(second?.output ?? "")")
                second = nil
                let store = try Store(directory: state)
                let record = try #require(try await store.job(stoppedJob))
                #expect(record.status == .interrupted && record.message.contains("daemon stopped"), "\(record)")
                let stoppedEpisode = try Episode(contentsOf: state.appendingPathComponent("episodes/\(stoppedJob)"))
                #expect(stoppedEpisode.info.outcome.status != .running, "the episode was finished")
                try await http.shutdown()
            } catch {
                await first?.kill(SIGKILL)
                await second?.kill(SIGKILL)
                try? await http.shutdown()
                throw error
            }
        }
    }

    /// Waits for the daemon to answer /healthz (it writes its token first), then returns a client.
    static func client(http: HTTPClient, port: Int, state: URL) async throws -> APIClient {
        for _ in 0..<300 {
            if let token = StateDirectory.readToken(in: state) {
                let api = APIClient(http: http, port: port, token: token)
                if (try? await api.call(.GET, "/healthz", auth: .none))?.status == 200 { return api }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw DaemonNotStarted()
    }

    struct DaemonNotStarted: Error, CustomStringConvertible {
        var description: String { "tetherd did not answer /healthz" }
    }
}
