import Crypto
import Foundation
import TetherTestSupport
import Testing
@testable import ADB

/// Our device endpoint driven by Google's adb (Debian's 29.0.6), the peer nobody here wrote.
@Suite(.serialized) struct RealADBInteropTests {
    @Test func connectShellPushPullExecOut() async throws {
        let device = try await TestDevice.start()
        let adb = try RealADB()
        let serial = "127.0.0.1:\(device.port)"

        let connect = try await adb("connect", serial)
        #expect(connect.stdoutText.contains("connected to \(serial)"), "\(connect.stdoutText) \(connect.stderrText)")

        let devices = try await adb("devices", "-l")
        #expect(devices.stdoutText.contains("product:tetherprod model:TetherModel device:tetherdev"), "\(devices.stdoutText)")

        let echo = try await adb("-s", serial, "shell", "echo", "hello", "world")
        #expect(echo.status == 0)
        #expect(echo.stdoutText == "hello world\n")

        // Shell v2 carries the exit code and keeps stderr apart.
        let failing = try await adb("-s", serial, "shell", "echo oops >&2; exit 3")
        #expect(failing.status == 3)
        let missing = try await adb("-s", serial, "shell", "definitely-not-a-command")
        #expect(missing.status == 127)
        #expect(missing.stderrText.contains("definitely-not-a-command: not found"))

        // 20 MB of random bytes up and back down.
        let local = device.root.url.appendingPathComponent("upload.bin")
        var random = [UInt8](repeating: 0, count: 20 * 1024 * 1024 + 123)
        for i in random.indices { random[i] = UInt8.random(in: 0...255) }
        try Data(random).write(to: local)
        let push = try await adb("-s", serial, "push", local.path, "/sdcard/big.bin", timeout: 120)
        #expect(push.status == 0, "\(push.stderrText)")
        let onDevice = try Data(contentsOf: device.root.url.appendingPathComponent("sdcard/big.bin"))
        #expect(SHA256.hash(data: onDevice) == SHA256.hash(data: Data(random)))

        let pulled = device.root.url.appendingPathComponent("pulled.bin")
        let pull = try await adb("-s", serial, "pull", "/sdcard/big.bin", pulled.path, timeout: 120)
        #expect(pull.status == 0, "\(pull.stderrText)")
        #expect(SHA256.hash(data: try Data(contentsOf: pulled)) == SHA256.hash(data: Data(random)))

        // exec-out is byte-exact: every byte value, CR and LF untouched.
        let binary = Data((0..<65536).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) })
        try binary.write(to: device.root.url.appendingPathComponent("sdcard/bytes.bin"))
        let execOut = try await adb("-s", serial, "exec-out", "cat", "/sdcard/bytes.bin")
        #expect(execOut.status == 0)
        #expect(execOut.stdout == binary)

        _ = try await adb("disconnect", serial)
        await adb.killServer()
        await device.stop()
    }
}
