import Basics
import Foundation
import Testing

@Suite struct ChildProcessTests {
    @Test func exitCodeStdoutAndStderrApart() throws {
        let r = try ChildProcess.run(["/bin/sh", "-c", "echo out; echo err >&2; exit 3"])
        #expect(r.status == 3 && r.stdoutText == "out\n" && r.stderrText == "err\n")
        let merged = try ChildProcess.run(["/bin/sh", "-c", "echo out; echo err >&2"], stderr: .mergedIntoStdout)
        #expect(merged.stdoutText == "out\nerr\n" && merged.stderr.isEmpty)
        let dropped = try ChildProcess.run(["/bin/sh", "-c", "echo err >&2"], stderr: .discarded)
        #expect(dropped.stdout.isEmpty && dropped.stderr.isEmpty)
    }

    @Test func theEnvironmentIsTheOneGiven() throws {
        let r = try ChildProcess.run(["/bin/sh", "-c", "echo \"$ONLY\" \"${HOME-unset}\""], environment: ["ONLY": "this"])
        #expect(r.stdoutText == "this unset\n")
    }

    /// A child past its timeout is killed: its status is 128 + SIGKILL, not sleep's own 0.
    @Test func aChildPastItsTimeoutIsKilled() throws {
        let r = try ChildProcess.run(["sleep", "30"], timeout: .milliseconds(300))
        #expect(r.status == 128 + SIGKILL)
        let quick = try ChildProcess.run(["true"], timeout: .seconds(30))
        #expect(quick.status == 0)
    }

    @Test func aProgramThatIsNotThereIsAnErrorThatNamesIt() {
        #expect {
            try ChildProcess.run(["no-such-program-here"])
        } throws: { error in
            "\(error)".contains("no-such-program-here")
        }
    }
}
