/// Helpers every test target shares: scratch directories, free ports, running programs, and
/// the real adb with a private server.
import Foundation
import Testing

/// The built `tether` executable: `swift build --build-tests` puts it beside the test bundle.
public let tetherExecutable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    .appendingPathComponent("tether").path

/// True when `tether` is built; otherwise records an issue, so a test that runs it fails.
public func tetherIsBuilt() -> Bool {
    if FileManager.default.isExecutableFile(atPath: tetherExecutable) { return true }
    Issue.record("tether is not built at \(tetherExecutable)")
    return false
}

/// A scratch directory removed at deinit.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL
    public init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("tether-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    public var path: String { url.path }
}

/// A free TCP port on 127.0.0.1 outside 5555–5585 (the adb server probes those for emulators).
public func freePort() throws -> Int {
    while true {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        if !(5555...5585).contains(port) { return port }
    }
}

public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: Data
    public var stderr: Data
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs a program to completion (killed after `timeout`) on a thread of its own. Output goes to
/// files, not pipes: `adb` forks a server that would hold a pipe open forever. posix_spawn and
/// waitpid are used directly because Foundation's Process leaves children unreaped under the
/// test runner.
public func run(_ arguments: [String], environment: [String: String]? = nil, timeout: TimeInterval = 60) async throws -> ProcessResult {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tether-run-\(UUID().uuidString)")
            let outPath = scratch.path + ".out", errPath = scratch.path + ".err"
            defer {
                unlink(outPath)
                unlink(errPath)
            }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
            let argv = ["/usr/bin/env"] + arguments
            var cArgs = argv.map { strdup($0) } + [nil]
            var cEnv = env.map { strdup($0) } + [nil]
            defer {
                cArgs.forEach { free($0) }
                cEnv.forEach { free($0) }
            }
            var pid: pid_t = 0
            let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, &cArgs, &cEnv)
            guard spawned == 0 else {
                continuation.resume(throwing: POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO))
                return
            }
            let killer = DispatchWorkItem { kill(pid, SIGKILL) }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            killer.cancel()
            let exited = status & 0x7f == 0
            let code = exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            let stdout = FileManager.default.contents(atPath: outPath) ?? Data()
            let stderr = FileManager.default.contents(atPath: errPath) ?? Data()
            continuation.resume(returning: ProcessResult(status: code, stdout: stdout, stderr: stderr))
        }
    }
}

/// The real adb with a private server port and a throwaway HOME, so no developer's server (5037)
/// is touched. The server it starts is stopped on every path: `killServer()` when a test ends
/// normally, and otherwise when the last copy of this value goes away (a test that throws, fails
/// or times out), so no `adb … fork-server` outlives the suite.
public struct RealADB: Sendable {
    public let home: TemporaryDirectory
    public let serverPort: Int
    private let stopper: ServerStopper

    public init() throws {
        home = TemporaryDirectory()
        serverPort = try freePort()
        stopper = ServerStopper(port: serverPort)
    }

    public var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = home.path
        env["ANDROID_ADB_SERVER_PORT"] = String(serverPort)
        env["ADB_MDNS"] = "0"
        env.removeValue(forKey: "ANDROID_SERIAL")
        env.removeValue(forKey: "ADB_VENDOR_KEYS")
        env["LOGNAME"] = "tester"
        return env
    }

    public static var isInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/adb")
    }

    @discardableResult
    public func callAsFunction(_ args: String..., timeout: TimeInterval = 60) async throws -> ProcessResult {
        try await self.args(args, timeout: timeout)
    }

    /// Runs adb against this instance's own server port (`-P`), never adb's default.
    public func args(_ args: [String], timeout: TimeInterval = 60) async throws -> ProcessResult {
        try await run(["adb", "-P", String(serverPort)] + args, environment: environment, timeout: timeout)
    }

    public func killServer() async {
        _ = try? await run(["adb", "-P", String(serverPort), "kill-server"], environment: environment, timeout: 10)
    }
}

/// Stops the adb server on `port` when the last `RealADB` holding it goes away.
private final class ServerStopper: Sendable {
    let port: Int
    init(port: Int) { self.port = port }

    deinit {
        // Synchronous on purpose: deinit cannot await, and the server must be gone before the
        // test process can end. A server that is not running makes this a quick no-op.
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd in [Int32(0), 1, 2] {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let argv = ["/usr/bin/env", "adb", "-P", String(port), "kill-server"]
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/usr/bin/env", &actions, nil, &cArgs, environ) == 0 else { return }
        var status: Int32 = 0
        for _ in 0..<1000 {  // at most 10 s, then the kill itself is killed
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid || (done == -1 && errno != EINTR) { return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    }
}

/// SplitMix64: a small deterministic generator, so property and fuzz-style tests repeat exactly.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
