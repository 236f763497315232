/// Helpers every test target shares: scratch directories, free ports, running programs, and
/// the real adb with a private server.
import Basics
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
public func freePort() throws -> Int { try freeLoopbackPort() }

public typealias ProcessResult = ChildProcess.Result

/// Runs a program to completion (killed after `timeout`) on a thread of its own, so neither the
/// cooperative pool nor Dispatch's global queue is held while it runs; see `ChildProcess`.
public func run(_ arguments: [String], environment: [String: String]? = nil, timeout: TimeInterval = 60) async throws -> ProcessResult {
    try await ComputeThread.run { _ in
        try ChildProcess.run(arguments, environment: environment, timeout: .milliseconds(Int(timeout * 1000)))
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
        _ = try? ChildProcess.run(["adb", "-P", String(port), "kill-server"], stderr: .discarded, timeout: .seconds(10))
    }
}
