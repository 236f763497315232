import Foundation

/// Runs a program to completion with posix_spawn and waitpid. Output goes through files, not
/// pipes: `adb` forks a server that would hold a pipe open forever. (Foundation's `Process` also
/// leaves children unreaped under the test runner.)
public enum ChildProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: Data
        public var stderr: Data
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Where the child's stderr goes.
    public enum Stderr: Sendable {
        case separate, mergedIntoStdout, discarded
    }

    /// Runs `argv` (its first element looked up in PATH) with stdin from /dev/null, blocking the
    /// calling thread; killed with SIGKILL after `timeout`. The status is the exit code, or 128 +
    /// the signal that ended it.
    public static func run(
        _ argv: [String], environment: [String: String]? = nil, stderr: Stderr = .separate,
        timeout: Duration? = nil
    ) throws(ChildProcessError) -> Result {
        guard let program = argv.first else { throw ChildProcessError(program: "", code: EINVAL) }
        let scratch = NSTemporaryDirectory() + "/tether-child-\(UUID().uuidString)"
        let outPath = scratch + ".out", errPath = scratch + ".err"
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        switch stderr {
        case .separate: posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        case .mergedIntoStdout: posix_spawn_file_actions_adddup2(&actions, 1, 2)
        case .discarded: posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var cArgs = argv.map { strdup($0) } + [nil]
        var cEnv = env.map { strdup($0) } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, program, &actions, nil, &cArgs, &cEnv)
        guard spawned == 0 else { throw ChildProcessError(program: program, code: spawned) }
        // The child is waited for without being reaped (WNOWAIT), so its pid cannot be reused
        // while the watchdog may still kill it; the watchdog stops once `ended` is set.
        let ended = Locked(false)
        let child = pid
        if let timeout {
            Thread {
                let clock = ContinuousClock()
                let deadline = clock.now + timeout
                while clock.now < deadline {
                    if ended.value { return }
                    usleep(5_000)
                }
                ended.withLock { if !$0 { kill(child, SIGKILL) } }
            }.start()
        }
        var info = siginfo_t()
        while waitid(P_PID, id_t(child), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
        ended.set(true)
        var status: Int32 = 0
        while waitpid(child, &status, 0) == -1 && errno == EINTR {}
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(
            status: code, stdout: FileManager.default.contents(atPath: outPath) ?? Data(),
            stderr: stderr == .separate ? FileManager.default.contents(atPath: errPath) ?? Data() : Data())
    }
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public var program: String
    public var code: Int32
    public var description: String {
        "cannot start \(program.isEmpty ? "an empty command" : program): \(String(cString: strerror(code)))"
    }
}
