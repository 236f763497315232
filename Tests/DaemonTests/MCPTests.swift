import AsyncHTTPClient
import Foundation
import NIOCore
import PhoneRig
import TetherTestSupport
import Testing

@testable import Daemon

/// The daemon's `/mcp`: the official Python MCP client over streamable HTTP (Scripts/mcp-check),
/// and JSON-RPC calls made here for what the client does not show (leases, run_task as a job).
@Suite(.serialized) struct MCPTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func thePythonClientDrivesAVirtualPhoneOverHTTP() async throws {
        let venv = try await run([Self.repository.appendingPathComponent("Scripts/peer-venv").path], timeout: 900)
        try #require(venv.status == 0, "Scripts/peer-venv failed: \(venv.stderrText)")
        let python = venv.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        try await withPhoneRig { rig in
            let serial = "127.0.0.1:\(rig.port)"
            try await withDaemon(devices: [serial]) { _, api in
                try await api.waitForDevice(serial)
                let check = try await run(
                    [
                        python, Self.repository.appendingPathComponent("Scripts/mcp-check").path, "http",
                        "http://127.0.0.1:\(api.port)/mcp", api.token
                    ], timeout: 240)
                #expect(check.status == 0, "\(check.stdoutText)\(check.stderrText)")
                #expect(check.stdoutText.contains("refused with 401"), "\(check.stdoutText)")
                #expect(check.stdoutText.contains("all checks passed"), "\(check.stdoutText)\(check.stderrText)")
            }
        }
    }

    @Test func tetherMCPRelaysADesktopClientToTheDaemon() async throws {
        guard tetherIsBuilt() else { return }
        let venv = try await run([Self.repository.appendingPathComponent("Scripts/peer-venv").path], timeout: 900)
        try #require(venv.status == 0, "Scripts/peer-venv failed: \(venv.stderrText)")
        let python = venv.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        try await withPhoneRig { rig in
            let serial = "127.0.0.1:\(rig.port)"
            try await withDaemon(devices: [serial]) { _, api in
                try await api.waitForDevice(serial)
                var environment = ProcessInfo.processInfo.environment
                environment["TETHER_TOKEN"] = api.token
                let check = try await run(
                    [
                        python, Self.repository.appendingPathComponent("Scripts/mcp-check").path, "stdio", "--no-model", "--",
                        tetherExecutable, "mcp", "--daemon", "http://127.0.0.1:\(api.port)"
                    ], environment: environment, timeout: 240)
                #expect(check.status == 0, "\(check.stdoutText)\(check.stderrText)")
                #expect(check.stdoutText.contains("all checks passed"), "\(check.stdoutText)\(check.stderrText)")
            }
        }
    }

    /// One JSON-RPC request to `/mcp`; the reply's `result`.
    static func call(_ api: APIClient, _ tool: String, _ arguments: [String: Any]) async throws -> (text: String, isError: Bool) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(api.port)/mcp")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(api.token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json, text/event-stream")
        let body: [String: Any] = [
            "jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": ["name": tool, "arguments": arguments]
        ]
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        let response = try await api.http.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        let reply = try #require(try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any])
        let result = try #require(reply["result"] as? [String: Any], "\(reply)")
        let content = (result["content"] as? [[String: Any]]) ?? []
        return (content.compactMap { $0["text"] as? String }.joined(separator: "\n"), result["isError"] as? Bool ?? false)
    }

    @Test func aPhoneAJobHoldsIsAToolErrorAndRunTaskQueuesAJob() async throws {
        try await withPhoneRig { rig in
            let serial = "127.0.0.1:\(rig.port)"
            try await withDaemon(devices: [serial]) { daemon, api in
                try await api.waitForDevice(serial)
                let free = try await Self.call(api, "inspect_screen", [:])
                #expect(!free.isError && free.text.contains("\"Settings\""), "\(free.text)")

                #expect(await daemon.devices.lease(serial, for: "job-held") != nil)
                let held = try await Self.call(api, "tap", ["x": 10, "y": 10])
                #expect(held.isError && held.text.contains("busy with job job-held"), "\(held.text)")
                await daemon.devices.release(serial)

                let noModel = try await Self.call(api, "run_task", ["task": "Go home"])
                #expect(noModel.isError && noModel.text.contains("needs a model"), "\(noModel.text)")
                let nobody = "http://127.0.0.1:\(try freePort())/v1"
                let queued = try await Self.call(
                    api, "run_task", ["task": "Go home", "lang": "en", "endpoint": nobody, "wait_seconds": 60])
                #expect(!queued.isError && queued.text.contains("failed after 0 steps"), "\(queued.text)")
                let jobs = try await api.call(.GET, "/v1/jobs").array ?? []
                #expect(jobs.count == 1 && jobs.first?["status"] as? String == "failed")
                let id = try #require(jobs.first?["id"] as? String)
                let status = try await Self.call(api, "task_status", ["id": id])
                #expect(!status.isError && status.text.hasPrefix("task \(id): failed"), "\(status.text)")
            }
        }
    }
}
