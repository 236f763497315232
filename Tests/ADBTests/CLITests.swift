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
        let shell = try await tether(["shell", "echo", "via", "server"], home: home,
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
}
