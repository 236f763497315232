import Foundation
import Testing
import ADB
@testable import VirtualPhone

/// A scratch directory removed at deinit.
final class TemporaryDirectory: @unchecked Sendable {
    let url: URL
    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("tether-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    var path: String { url.path }
}

/// A free TCP port on 127.0.0.1 outside 5555–5585 (the adb server probes those for emulators).
func freePort() throws -> Int {
    while true {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw ADBError.io("bind failed") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        if !(5555...5585).contains(port) { return port }
    }
}

struct ProcessResult: Sendable {
    var status: Int32
    var stdout: Data
    var stderr: Data
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs a program to completion (killed after `timeout`) on a thread of its own. Output goes to
/// files, not pipes: `adb` forks a server that would hold a pipe open forever. posix_spawn and
/// waitpid are used directly because Foundation's Process leaves children unreaped under the
/// test runner.
func run(_ arguments: [String], environment: [String: String]? = nil, timeout: TimeInterval = 60) async throws -> ProcessResult {
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
                continuation.resume(throwing: ADBError.io("posix_spawn failed: \(spawned)"))
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

/// The real adb with a private server port and a throwaway HOME, so no developer's server is touched.
struct RealADB {
    let home: TemporaryDirectory
    let serverPort: Int

    init() throws {
        home = TemporaryDirectory()
        serverPort = try freePort()
    }

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = home.path
        env["ANDROID_ADB_SERVER_PORT"] = String(serverPort)
        env["ADB_MDNS"] = "0"
        env.removeValue(forKey: "ANDROID_SERIAL")
        env.removeValue(forKey: "ADB_VENDOR_KEYS")
        env["LOGNAME"] = "tester"
        return env
    }

    static var isInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/adb")
    }

    @discardableResult
    func callAsFunction(_ args: String..., timeout: TimeInterval = 60) async throws -> ProcessResult {
        try await run(["adb"] + args, environment: environment, timeout: timeout)
    }

    func args(_ args: [String], timeout: TimeInterval = 60) async throws -> ProcessResult {
        try await run(["adb"] + args, environment: environment, timeout: timeout)
    }

    func killServer() async {
        _ = try? await run(["adb", "kill-server"], environment: environment, timeout: 10)
    }
}

/// The repository's Devices directory, found from this file's path.
let devicesDirectory: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Devices")

/// The catalog, loaded once.
let sharedCatalog: Result<DeviceCatalog, VirtualPhoneError> = Result { () throws(VirtualPhoneError) in try DeviceCatalog.load(from: devicesDirectory) }

func catalog() throws -> DeviceCatalog { try sharedCatalog.get() }

/// A phone served on a free port (retrying when the port was taken meanwhile).
func startPhone(profile: String = "small-phone", seed: UInt64 = 1, task: TaskDefinition? = nil) async throws -> VirtualPhoneServer {
    var attempts = 0
    while true {
        do {
            return try await VirtualPhoneServer.start(catalog: try catalog(), options: .init(profile: profile, seed: seed, port: try freePort(), task: task))
        } catch let error as ADBError {
            attempts += 1
            if attempts > 5 { throw error }
        }
    }
}

/// A phone without a server, for tests that drive the actor directly.
func makePhone(profile: String = "small-phone", seed: UInt64 = 1, task: TaskDefinition? = nil) throws -> VirtualPhone {
    try VirtualPhone(catalog: try catalog(), profile: profile, seed: seed, task: task)
}

/// Runs one shell command line on a phone, as `adb shell` would, and returns stdout, stderr, status.
func sh(_ phone: VirtualPhone, _ line: String) async -> (out: String, err: String, status: Int32) {
    let out = Bytes(), err = Bytes()
    let io = ShellIO(stdout: { await out.append($0) }, stderr: { await err.append($0) })
    let status = await VirtualPhoneShell(phone: phone).run(line, io: io)
    return (String(decoding: await out.bytes, as: UTF8.self), String(decoding: await err.bytes, as: UTF8.self), status)
}

actor Bytes {
    var bytes: [UInt8] = []
    func append(_ b: [UInt8]) { bytes += b }
}

/// Finds a node's centre by its text (or content-desc) in a uiautomator dump.
func center(of text: String, in xml: String) -> (x: Int, y: Int)? {
    for node in xml.components(separatedBy: "<node ").dropFirst() {
        let label = attribute("text", node) ?? ""
        let desc = attribute("content-desc", node) ?? ""
        let rid = attribute("resource-id", node) ?? ""
        guard label == text || desc == text || rid.hasSuffix(":id/" + text), let bounds = attribute("bounds", node) else { continue }
        let numbers = bounds.split(whereSeparator: { !$0.isNumber && $0 != "-" }).compactMap { Int($0) }
        guard numbers.count == 4 else { continue }
        return ((numbers[0] + numbers[2]) / 2, (numbers[1] + numbers[3]) / 2)
    }
    return nil
}

func attribute(_ name: String, _ node: String) -> String? {
    guard let r = node.range(of: " \(name)=\"") ?? (node.hasPrefix("\(name)=\"") ? node.range(of: "\(name)=\"") : nil) else { return nil }
    let rest = node[r.upperBound...]
    guard let end = rest.firstIndex(of: "\"") else { return nil }
    return String(rest[..<end]).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
        .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
}
