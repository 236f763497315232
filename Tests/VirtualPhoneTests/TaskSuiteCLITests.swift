import Foundation
import PhoneRig
import Testing
import TetherTestSupport

@testable import VirtualPhone

/// `tether vphone solve` and `check` with a seed, against a phone served with that seed's instance.
@Suite struct TaskSuiteCLITests {
    func tether(_ args: [String]) async throws -> ProcessResult {
        let home = TemporaryDirectory()
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = home.path
        return try await run([tetherExecutable] + args + ["--devices", devicesDirectory.path], environment: env, timeout: 60)
    }

    @Test func solvePlaysTheSeedsInstanceAndCheckAgrees() async throws {
        guard tetherIsBuilt() else { return }
        let id = "messages-text-contact"
        let template = try #require(try catalog().task(id))
        // Two seeds whose messages differ, so a check with the wrong seed looks for another text.
        let seeds = (UInt64(1)...20).filter { template.paramValues(seed: $0)["msg"] != template.paramValues(seed: 4)["msg"] }
        let other = try #require(seeds.first)
        let server = try await startPhone(seed: 4, task: template.instance(seed: 4))
        let serial = "127.0.0.1:\(server.port)"
        try await withCleanup {
            let before = try await tether(["vphone", "check", id, "--seed", "4", "--serial", serial])
            #expect(before.status == 1, "\(before.stdoutText)")
            let solve = try await tether(["vphone", "solve", id, "--seed", "4", "--serial", serial, "--no-settle"])
            #expect(solve.status == 0, "\(solve.stdoutText) \(solve.stderrText)")
            #expect(solve.stdoutText.contains("1. launch \"Messages\""))
            #expect(solve.stdoutText.contains("PASS \(id)"))
            let check = try await tether(["vphone", "check", id, "--seed", "4", "--serial", serial])
            #expect(check.status == 0, "\(check.stdoutText)")
            let wrongSeed = try await tether(["vphone", "check", id, "--seed", "\(other)", "--serial", serial])
            #expect(wrongSeed.status == 1, "the check of another seed's instance looks for another message: \(wrongSeed.stdoutText)")
        } cleanup: {
            await server.stop()
        }
    }

    @Test func solveNamesTheStepItCannotDo() async throws {
        guard tetherIsBuilt() else { return }
        // The phone is served without the task's setup: there is no "Door code" note to open.
        let server = try await startPhone(seed: 2)
        try await withCleanup {
            let solve = try await tether(["vphone", "solve", "multi-door-code-reply", "--seed", "2", "--serial", "127.0.0.1:\(server.port)", "--no-settle"])
            #expect(solve.status != 0)
            #expect(solve.stderrText.contains("step 2 (tap \"Door code\")"), "\(solve.stderrText)")
        } cleanup: {
            await server.stop()
        }
    }
}
