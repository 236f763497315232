import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real `tetherd` process (the built binary beside the test bundle), its output in a file.
/// Stop it with `kill(_:)`; it is always waited for, so no zombie is left.
final class DaemonProcess: @unchecked Sendable {
    static let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("tetherd").path

    let pid: pid_t
    let log: URL
    private var reaped = false

    init(_ arguments: [String], log: URL) throws {
        self.log = log
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Hermetic: no USB phones and no adb server of the machine's (a test adds its phones).
        let argv = ([Self.executable, "--no-usb", "--adb-server", "off"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, Self.executable, &actions, nil, argv, environ)
        guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EIO) }
        pid = child
    }

    /// Sends `signal` and waits for the process to end; returns its exit status (or 128+signal).
    @discardableResult
    func kill(_ signal: Int32) async -> Int32 {
        guard !reaped else { return -1 }
        reaped = true
        let pid = self.pid
        _ = Glibc.kill(pid, signal)
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var status: Int32 = 0
                _ = waitpid(pid, &status, 0)
                let exited = status & 0x7f == 0
                continuation.resume(returning: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f))
            }
        }
    }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
}
