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
        // Each command in a fresh copy of the tree of its own (making one is cheaper than
        // clearing one); all removed at the end.
        for (n, command) in ShellLanguageCorpus.all.enumerated() {
            try Self.makeTree(at: hostScratch.appendingPathComponent("\(n)"))
            try Self.makeTree(at: deviceScratchOnHost.appendingPathComponent("\(n)"))
            let expected = try Self.hostShell(command, in: hostScratch.appendingPathComponent("\(n)"))
            let actual = await sh(phone, "cd \(Self.deviceScratch)/\(n)\n" + command)
            if actual.out != expected.out || actual.status != expected.status {
                mismatches.append("\(command)\n  sh:    \(expected.status) \(expected.out.debugDescription)\n  phone: \(actual.status) \(actual.out.debugDescription) \(actual.err.debugDescription)")
            }
        }
        #expect(mismatches.isEmpty, Comment(rawValue: "\(mismatches.count) of \(ShellLanguageCorpus.all.count) differ:\n" + mismatches.joined(separator: "\n")))
    }

    /// Makes the scratch tree (its directory must not exist yet), with POSIX calls: Foundation's
    /// take milliseconds each, and the corpus makes two trees per command.
    static func makeTree(at root: URL) throws {
        func fail(_ path: String) -> Error { POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO, userInfo: ["path": path]) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for (path, contents) in ShellLanguageCorpus.files {
            let full = root.path + "/" + path
            guard let contents else {
                guard mkdir(full, 0o755) == 0 else { throw fail(full) }
                continue
            }
            let fd = open(full, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw fail(full) }
            defer { close(fd) }
            let bytes = Array(contents.utf8)
            guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else { throw fail(full) }
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
