import Basics
import ADB
import Foundation
import Testing
@testable import VirtualPhone

/// The virtual phone's shell against the host's `/bin/sh` (dash) and coreutils: every command of
/// `ShellLanguageCorpus` runs in a fresh, identical scratch tree on each side and must print the
/// same stdout and exit with the same status.
@Suite struct ShellLanguageDifferentialTests {
    static let deviceScratch = "/data/local/tmp/corpus"

    @Test func corpusIsLarge() {
        #expect(ShellLanguageCorpus.all.count >= 300)
    }

    @Test func phoneShellAgreesWithHostShell() async throws {
        let phone = try makePhone()
        defer { phone.removeFiles() }
        let hostScratch = FileManager.default.temporaryDirectory.appendingPathComponent("tether-shell-corpus-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: hostScratch) }
        let deviceScratchOnHost = phone.root.appendingPathComponent(String(Self.deviceScratch.dropFirst()))
        var mismatches: [String] = []
        for command in ShellLanguageCorpus.all {
            try Self.makeTree(at: hostScratch)
            try Self.makeTree(at: deviceScratchOnHost)
            let expected = try Self.hostShell(command, in: hostScratch)
            let actual = await sh(phone, "cd \(Self.deviceScratch)\n" + command)
            if actual.out != expected.out || actual.status != expected.status {
                mismatches.append("\(command)\n  sh:    \(expected.status) \(expected.out.debugDescription)\n  phone: \(actual.status) \(actual.out.debugDescription) \(actual.err.debugDescription)")
            }
        }
        #expect(mismatches.isEmpty, Comment(rawValue: "\(mismatches.count) of \(ShellLanguageCorpus.all.count) differ:\n" + mismatches.joined(separator: "\n")))
    }

    /// Removes and recreates the scratch tree.
    static func makeTree(at root: URL) throws {
        try? FileManager.default.removeItem(at: root)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for (path, contents) in ShellLanguageCorpus.files {
            let url = root.appendingPathComponent(path)
            if let contents {
                try Data(contents.utf8).write(to: url)
            } else {
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            }
        }
    }

    /// Runs `sh -c COMMAND` on the host in `directory` with a fixed environment (stderr dropped).
    static func hostShell(_ command: String, in directory: URL) throws -> (out: String, status: Int32) {
        let result = try ChildProcess.run(
            ["/bin/sh", "-c", #"cd "$0" && exec /bin/sh -c "$1""#, directory.path, command],
            environment: ["HOME": "/", "PATH": "/usr/bin:/bin", "LC_ALL": "C"], stderr: .discarded, timeout: .seconds(20))
        return (result.stdoutText, result.status)
    }
}
