import Crypto
import Foundation
import TetherTestSupport
import Testing
@testable import ADB

/// The `tether` executable, run as a user would, against our device endpoint.
@Suite(.serialized) struct CLITests {
    func tether(_ args: [String], home: TemporaryDirectory, extra: [String: String] = [:]) async throws -> ProcessResult {
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = home.path
        env["ANDROID_ADB_SERVER_PORT"] = "1"  // no developer's server is consulted
        env.removeValue(forKey: "ANDROID_SERIAL")
        for (k, v) in extra { env[k] = v }
        return try await run([tetherExecutable] + args, environment: env, timeout: 120)
    }

    @Test func directTCPCommands() async throws {
        guard tetherIsBuilt() else { return }
        let device = try await TestDevice.start()
        let home = TemporaryDirectory()
        let address = "127.0.0.1:\(device.port)"

        let shell = try await tether(["shell", "--connect", address, "echo", "hello;", "echo", "bad", ">&2;", "exit", "42"], home: home)
        #expect(shell.status == 42)
        #expect(shell.stdoutText == "hello\n")
        #expect(shell.stderrText.contains("bad\n"))
        // This phone asks for no authentication, so no key is read or made.
        #expect(!FileManager.default.fileExists(atPath: home.url.appendingPathComponent(".android/adbkey").path))

        let local = home.url.appendingPathComponent("data.bin")
        let bytes = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ $0 >> 9) })
        try bytes.write(to: local)
        let push = try await tether(["push", "--connect", address, local.path, "/sdcard/"], home: home)
        #expect(push.status == 0, "\(push.stderrText)")
        #expect(push.stdoutText.contains("1 file pushed"))
        #expect(try Data(contentsOf: device.root.url.appendingPathComponent("sdcard/data.bin")) == bytes)

        let pulledPath = home.url.appendingPathComponent("back.bin").path
        let pull = try await tether(["pull", "--connect", address, "/sdcard/data.bin", pulledPath], home: home)
        #expect(pull.status == 0, "\(pull.stderrText)")
        #expect(FileManager.default.contents(atPath: pulledPath) == bytes)

        let exec = try await tether(["exec-out", "--connect", address, "cat", "/sdcard/data.bin"], home: home)
        #expect(exec.status == 0)
        #expect(exec.stdout == bytes)

        let missing = try await tether(["pull", "--connect", address, "/sdcard/nope", pulledPath], home: home)
        #expect(missing.status != 0)
        #expect(missing.stderrText.contains("does not exist"))

        let unreachable = try await tether(["shell", "--connect", "127.0.0.1:1", "true"], home: home)
        #expect(unreachable.status != 0)
        #expect(unreachable.stderrText.contains("cannot connect"))
        await device.stop()
    }

    @Test func throughTheRealServerWithSerialSelection() async throws {
        let device = try await TestDevice.start()
        let adb = try RealADB()
        let serial = "127.0.0.1:\(device.port)"
        _ = try await adb("connect", serial)
        let home = TemporaryDirectory()
        let list = try await tether(["devices", "-l", "--server", String(adb.serverPort)], home: home)
        #expect(list.stdoutText.contains(serial))
        #expect(list.stdoutText.contains("model:TetherModel"))
        #expect(list.stdoutText.contains("transport:server"))

        // ANDROID_SERIAL picks the device; the server is found from ANDROID_ADB_SERVER_PORT.
        let shell = try await tether(
            ["shell", "echo", "via", "server"], home: home,
            extra: ["ANDROID_SERIAL": serial, "ANDROID_ADB_SERVER_PORT": String(adb.serverPort)])
        #expect(shell.status == 0, "\(shell.stderrText)")
        #expect(shell.stdoutText == "via server\n")
        let wrong = try await tether(["shell", "-s", "nope", "--server", String(adb.serverPort), "true"], home: home)
        #expect(wrong.status != 0)
        #expect(wrong.stderrText.contains("no device nope"))
        _ = try await adb("disconnect", serial)
        await adb.killServer()
        await device.stop()
    }

    @Test func selfCheckPasses() async throws {
        let home = TemporaryDirectory()
        let result = try await tether(["self-check"], home: home)
        #expect(result.status == 0, "\(result.stdoutText)\(result.stderrText)")
        #expect(result.stdoutText.contains("all checks passed"))
        #expect(!result.stdoutText.contains("FAIL"))
    }

    /// `tether shell` forwards a pipe or a file as stdin and closes it at the end; with stdin a
    /// terminal or /dev/null it closes stdin at once. Each of these hung before.
    @Test func shellForwardsAndClosesStdin() async throws {
        guard tetherIsBuilt() else { return }
        let device = try await TestDevice.start()
        let home = TemporaryDirectory()
        let address = "127.0.0.1:\(device.port)"
        let quoted = ShellQuoting.quote(tetherExecutable)
        func sh(_ script: String) async throws -> ProcessResult {
            var env = ProcessInfo.processInfo.environment
            env["HOME"] = home.path
            env["ANDROID_ADB_SERVER_PORT"] = "1"
            return try await run(["sh", "-c", script], environment: env, timeout: 60)
        }
        let piped = try await sh("echo hi | \(quoted) shell --connect \(address) cat")
        #expect(piped.status == 0, "\(piped.stderrText)")
        #expect(piped.stdoutText == "hi\n")
        let file = home.url.appendingPathComponent("input.txt")
        let text = (0..<20_000).map { "line \($0)" }.joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: file)
        let fromFile = try await sh("\(quoted) shell --connect \(address) cat < \(ShellQuoting.quote(file.path))")
        #expect(fromFile.status == 0, "\(fromFile.stderrText)")
        #expect(fromFile.stdoutText == text)
        let devNull = try await sh("\(quoted) shell --connect \(address) cat < /dev/null")
        #expect(devNull.status == 0, "\(devNull.stderrText)")
        #expect(devNull.stdoutText.isEmpty)
        await device.stop()
    }

    /// A directory is pushed with everything under it, as adb does; a missing file is named with
    /// the reason in words, never a Foundation error code.
    @Test func pushCopiesADirectoryTree() async throws {
        guard tetherIsBuilt() else { return }
        let device = try await TestDevice.start()
        let home = TemporaryDirectory()
        let address = "127.0.0.1:\(device.port)"
        let tree = home.url.appendingPathComponent("d1")
        try FileManager.default.createDirectory(at: tree.appendingPathComponent("sub/deeper"), withIntermediateDirectories: true)
        try Data("a".utf8).write(to: tree.appendingPathComponent("a.txt"))
        try Data("b".utf8).write(to: tree.appendingPathComponent("sub/b.txt"))
        try Data("c".utf8).write(to: tree.appendingPathComponent("sub/deeper/c.txt"))
        let push = try await tether(["push", "--connect", address, tree.path, "/sdcard/"], home: home)
        #expect(push.status == 0, "\(push.stderrText)")
        #expect(push.stdoutText.contains("3 files pushed"))
        let landed = device.root.url.appendingPathComponent("sdcard/d1")
        #expect(FileManager.default.contents(atPath: landed.appendingPathComponent("a.txt").path) == Data("a".utf8))
        #expect(FileManager.default.contents(atPath: landed.appendingPathComponent("sub/deeper/c.txt").path) == Data("c".utf8))
        // A remote path that does not exist becomes the copy itself.
        let renamed = try await tether(["push", "--connect", address, tree.path, "/sdcard/copy"], home: home)
        #expect(renamed.status == 0, "\(renamed.stderrText)")
        #expect(FileManager.default.contents(atPath: device.root.url.appendingPathComponent("sdcard/copy/sub/b.txt").path) == Data("b".utf8))

        let missing = try await tether(["push", "--connect", address, home.url.appendingPathComponent("nope").path, "/sdcard/"], home: home)
        #expect(missing.status != 0)
        #expect(missing.stderrText.contains("nope: no such file or directory"), "\(missing.stderrText)")
        #expect(!missing.stderrText.contains("Domain"))
        await device.stop()
    }
}
