import Foundation
import PhoneRig
import TetherTestSupport
import Testing

/// The repository's root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The python with the test peers (Scripts/peer-venv makes it once).
func peerPython() async throws -> String {
    let made = try await run([repositoryRoot.appendingPathComponent("Scripts/peer-venv").path], timeout: 900)
    try #require(made.status == 0, "Scripts/peer-venv failed: \(made.stderrText)")
    return made.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// `tether mcp` over stdio, driven by the official Python MCP client (Scripts/mcp-check) against
/// a virtual phone: tools listed with schemas, inspect, a tap by element id that opens Settings,
/// screenshots of the asked size, tool errors for a bad id and for run_task without a model.
@Suite(.serialized) struct StdioPeerTests {
    @Test func thePythonClientDrivesAVirtualPhoneThroughTetherMCP() async throws {
        guard tetherIsBuilt() else { return }
        let python = try await peerPython()
        try await withPhoneRig { rig in
            let check = try await run(
                [
                    python, repositoryRoot.appendingPathComponent("Scripts/mcp-check").path, "stdio", "--no-model", "--",
                    tetherExecutable, "mcp", "--connect", "127.0.0.1:\(rig.port)"
                ], timeout: 240)
            #expect(check.status == 0, "\(check.stdoutText)\(check.stderrText)")
            #expect(check.stdoutText.contains("a tap on the element opened Settings"), "\(check.stdoutText)")
            #expect(check.stdoutText.contains("all checks passed"), "\(check.stdoutText)\(check.stderrText)")
        }
    }
}
