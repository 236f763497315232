import Foundation
import Testing
import TetherTestSupport
import VirtualPhone

/// `tether vphone` as a user runs it: its help and the ports it refuses (each refusal exits at
/// once, before any phone starts, so nothing is left listening).
@Suite struct VPhoneCLITests {
    func tether(_ args: [String]) async throws -> ProcessResult {
        let home = TemporaryDirectory()
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = home.path
        return try await run([tetherExecutable] + args, environment: env, timeout: 60)
    }

    @Test func helpShowsTheServeOptionsAndTheSubcommands() async throws {
        guard tetherIsBuilt() else { return }
        let help = try await tether(["vphone", "--help"])
        #expect(help.status == 0)
        for word in ["--port", "--count", "--profile", "--task", "--pin", "serve", "tasks", "check"] {
            #expect(help.stdoutText.contains(word), "`tether vphone --help` names \(word)")
        }
    }

    @Test(arguments: [
        (["--port", "70000"], "not in 1024–65535"),
        (["--port", "65535", "--count", "3"], "past 65535"),
        (["--port", "1000"], "not in 1024–65535"),
        (["--port", "5550", "--count", "10"], "5555–5585"),
        (["serve", "--port", "70000"], "not in 1024–65535")
    ])
    func portsOutsideTheRangeAreRefused(args: [String], message: String) async throws {
        guard tetherIsBuilt() else { return }
        let result = try await tether(["vphone"] + args)
        #expect(result.status != 0, "\(args) exits with an error")
        #expect(result.stderrText.contains(message), "\(result.stderrText)")
        #expect(!result.stdoutText.contains("connect with"), "no phone was started")
    }
}
