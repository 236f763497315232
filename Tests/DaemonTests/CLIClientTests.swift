import Foundation
import PhoneRig
import TetherTestSupport
import Testing
@testable import Daemon

/// The `tether` CLI as the daemon's client: the built binary against a daemon on 127.0.0.1.
@Suite(.serialized) struct CLIClientTests {
    @Test func statusListShowAndCancel() async throws {
        guard tetherIsBuilt() else { return }
        try await withDaemon { _, api in
            let address = "127.0.0.1:\(try freePort())"
            _ = try await api.call(.POST, "/v1/devices", json: ["address": address])
            let id = try #require(try await api.call(.POST, "/v1/jobs", json: Replies.job([Replies.finish], device: address)).json?["id"] as? String)
            let url = "http://127.0.0.1:\(api.port)"
            var environment = ProcessInfo.processInfo.environment
            environment["TETHER_TOKEN"] = api.token

            let list = try await run([tetherExecutable, "jobs", "list", "--daemon", url], environment: environment)
            #expect(list.status == 0 && list.stdoutText.contains(id) && list.stdoutText.contains("queued"), "\(list.stdoutText)\(list.stderrText)")
            let show = try await run([tetherExecutable, "jobs", "show", id, "--daemon", url], environment: environment)
            #expect(show.status == 0 && show.stdoutText.contains("\"requested_device\" : \"\(address)\""), "\(show.stdoutText)")
            let cancel = try await run([tetherExecutable, "jobs", "cancel", id, "--daemon", url], environment: environment)
            #expect(cancel.status == 0 && cancel.stdoutText.contains("cancelled"))
            environment["TETHER_DAEMON"] = url
            let status = try await run([tetherExecutable, "daemon", "status"], environment: environment)
            #expect(
                status.status == 0 && status.stdoutText.contains("jobs: 1 cancelled") && status.stdoutText.contains(address),
                "\(status.stdoutText)\(status.stderrText)")

            environment["TETHER_TOKEN"] = "wrong"
            let refused = try await run([tetherExecutable, "jobs", "list"], environment: environment)
            #expect(refused.status != 0 && refused.stderrText.contains("401") && refused.stderrText.contains("token"), "\(refused.stderrText)")
            let missing = try await run([tetherExecutable, "jobs", "show", "nope"], environment: environment.merging(["TETHER_TOKEN": api.token]) { $1 })
            #expect(missing.status != 0 && missing.stderrText.contains("no job nope"), "\(missing.stderrText)")
        }
    }

    @Test func runThroughTheDaemonReportsTheJobsEnd() async throws {
        guard tetherIsBuilt() else { return }
        try await withPhoneRig { rig in
            try await withDaemon(devices: ["127.0.0.1:\(rig.port)"]) { _, api in
                try await api.waitForDevice("127.0.0.1:\(rig.port)")
                var environment = ProcessInfo.processInfo.environment
                environment["TETHER_TOKEN"] = api.token
                // No model server listens there: the job fails, and says why.
                let nobody = "http://127.0.0.1:\(try freePort())/v1"
                let result = try await run(
                    [
                        tetherExecutable, "run", "--daemon", "http://127.0.0.1:\(api.port)", "--endpoint", nobody,
                        "--lang", "en", "Go home"
                    ], environment: environment, timeout: 120)
                #expect(result.status == 1, "\(result.stdoutText)\(result.stderrText)")
                #expect(result.stdoutText.contains("queued on http://127.0.0.1:\(api.port)"), "\(result.stdoutText)")
                #expect(result.stdoutText.contains("failed after 0 steps"), "\(result.stdoutText)")
                let jobs = try await api.call(.GET, "/v1/jobs").array ?? []
                #expect(jobs.count == 1 && jobs.first?["status"] as? String == "failed")
            }
        }
    }
}
