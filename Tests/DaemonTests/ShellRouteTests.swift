import Foundation
import PhoneRig
import Testing

@testable import Daemon

/// `POST /v1/devices/{serial}/shell`: off by default, exact exit codes when allowed.
@Suite(.serialized) struct ShellRouteTests {
    @Test func withoutAllowShellTheRouteIsForbidden() async throws {
        try await withPhoneRig { rig in
            let serial = "127.0.0.1:\(rig.port)"
            try await withDaemon(devices: [serial]) { _, api in
                try await api.waitForDevice(serial)
                let reply = try await api.call(.POST, "/v1/devices/\(serial)/shell", json: ["command": "echo hi"])
                #expect(reply.status == 403)
                #expect(reply.error?.contains("--allow-shell") == true, "\(reply.text)")
            }
        }
    }

    @Test func withAllowShellACommandGivesItsOutputAndExactExitCode() async throws {
        try await withPhoneRig { rig in
            let serial = "127.0.0.1:\(rig.port)"
            try await withDaemon(devices: [serial], options: .init(allowShell: true)) { _, api in
                try await api.waitForDevice(serial)
                let path = "/v1/devices/\(serial)/shell"
                let reply = try await api.call(.POST, path, json: ["command": "echo hi; echo oops >&2; exit 3"])
                #expect(reply.status == 200, "\(reply.text)")
                #expect(reply.json?["stdout"] as? String == "hi\n")
                #expect(reply.json?["stderr"] as? String == "oops\n")
                #expect(reply.json?["exit_code"] as? Int == 3)
                #expect(reply.json?["truncated"] as? Bool == false)

                #expect(try await api.call(.POST, path, json: ["command": "  "]).status == 400)
                #expect(try await api.call(.POST, path, json: ["command": "true", "timeout": 0]).status == 400)
                #expect(try await api.call(.POST, path, body: Data(#"{"command": 5}"#.utf8)).status == 400)
                #expect(try await api.call(.POST, "/v1/devices/no-such-phone/shell", json: ["command": "true"]).status == 404)
                #expect(try await api.call(.POST, path, body: Data(#"{"command": "true"}"#.utf8), auth: .none).status == 401)
            }
        }
    }
}
