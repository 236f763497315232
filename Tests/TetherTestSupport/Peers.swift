import Foundation

/// The repository's root folder (where Package.swift is), for tests that run its scripts.
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Python test peers (the official OpenAI and MCP clients, Selenium, schemathesis, …).
public enum PeerPython {
    /// The python of `.venv-peers`, made (once, locked) by Scripts/peer-venv with the packages
    /// pinned in Scripts/peers-requirements.txt.
    public static func path() async throws -> String {
        let venv = try await run([repositoryRoot.appendingPathComponent("Scripts/peer-venv").path], timeout: 900)
        guard venv.status == 0 else { throw PeerUnavailable(description: "Scripts/peer-venv failed: \(venv.stderrText)") }
        return venv.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A script of Scripts/ run with that python.
    public static func script(_ name: String, _ arguments: [String], timeout: TimeInterval = 300) async throws -> ProcessResult {
        try await run([try await path(), repositoryRoot.appendingPathComponent("Scripts/\(name)").path] + arguments, timeout: timeout)
    }
}

public struct PeerUnavailable: Error, CustomStringConvertible {
    public var description: String
}
