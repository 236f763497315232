import Foundation
import PhoneRig
import Testing

@testable import Daemon

/// `"kind": "test"` jobs: flows run on the daemon's phone, results and reports through the API.
@Suite(.serialized) struct TestJobTests {
    static let passing = """
        appId: com.android.settings
        name: Settings opens
        ---
        - launchApp
        - assertVisible: "Network & internet"
        """
    static let failing = """
        appId: com.android.settings
        name: Looks for what is not there
        ---
        - launchApp
        - extendedWaitUntil:
            visible: "A setting nobody has"
            timeout: 500
        """

    @Test func aTestJobRunsItsFlowsAndKeepsResultsAndReports() async throws {
        try await withPhoneRig { rig in
            let serial = "127.0.0.1:\(rig.port)"
            try await withDaemon(devices: [serial]) { _, api in
                try await api.waitForDevice(serial)
                let job: [String: Any] = [
                    "kind": "test",
                    "flows": [["name": "opens.yaml", "yaml": Self.passing], ["name": "missing.yaml", "yaml": Self.failing]]
                ]
                let submitted = try await api.call(.POST, "/v1/jobs", json: job)
                #expect(submitted.status == 201, "\(submitted.text)")
                let id = try #require(submitted.json?["id"] as? String)
                let ended = try await api.job(id) { ($0["status"] as? String).flatMap(JobStatus.init(rawValue:))?.isFinal ?? false }
                #expect(ended["status"] as? String == "failed", "\(ended)")
                #expect(ended["kind"] as? String == "test")
                let message = ended["message"] as? String ?? ""
                #expect(message.hasPrefix("2 flows: 1 passed, 1 failed") && message.contains("Looks for what is not there"), "\(message)")

                // One event per flow, pushed like a run's steps.
                let stream = try await api.call(.GET, "/v1/jobs/\(id)/stream").text
                #expect(stream.components(separatedBy: "event: flow\n").count - 1 == 2, "\(stream)")

                let results = try await api.call(.GET, "/v1/jobs/\(id)/results")
                #expect(results.status == 200)
                let list = try #require((try? JSONSerialization.jsonObject(with: results.body)) as? [[String: Any]])
                #expect(list.map { $0["status"] as? String } == ["passed", "failed"])
                let html = try await api.call(.GET, "/v1/jobs/\(id)/report")
                #expect(html.status == 200 && html.text.contains("Looks for what is not there"))
                let junit = try await api.call(.GET, "/v1/jobs/\(id)/report?format=junit")
                #expect(junit.status == 200 && junit.text.contains("<testsuite") && junit.text.contains("failures=\"1\""), "\(junit.text.prefix(300))")
                #expect(try await api.call(.GET, "/v1/jobs/\(id)/report?format=pdf").status == 400)
            }
        }
    }

    @Test func aBrokenFlowIsRefusedWithItsFileLineAndColumn() async throws {
        try await withDaemon { _, api in
            let broken = "appId: x\n---\n- tapOnn: \"Wi-Fi\"\n"
            let reply = try await api.call(.POST, "/v1/jobs", json: ["kind": "test", "flows": [["name": "login.yaml", "yaml": broken]]])
            #expect(reply.status == 400)
            #expect(reply.error?.hasPrefix("login.yaml:3:") == true && reply.error?.contains("tapOnn") == true, "\(reply.text)")
            let badName = try await api.call(.POST, "/v1/jobs", json: ["kind": "test", "flows": [["name": "../x.yaml", "yaml": "---\n- back\n"]]])
            #expect(badName.status == 400 && badName.error?.contains("without folders") == true)
            #expect(try await api.call(.POST, "/v1/jobs", json: ["kind": "test", "flows": []]).status == 400)
            // A run job has no results.
            let run = try #require(try await api.call(.POST, "/v1/jobs", json: Replies.job([Replies.finish])).json?["id"] as? String)
            #expect(try await api.call(.GET, "/v1/jobs/\(run)/results").status == 404)
        }
    }
}
