import Crypto
import Foundation
import TetherTestSupport
import Testing
@testable import ADB

/// Our host half through Google's adb server, to our device endpoint.
@Suite(.serialized) struct ServerClientTests {
    @Test func servicesThroughTheRealServer() async throws {
        let device = try await TestDevice.start()
        let adb = try RealADB()
        let serial = "127.0.0.1:\(device.port)"
        try await adb("start-server")
        let server = ADBServerClient(port: adb.serverPort)

        #expect(try await server.version() == 41)

        // track-devices reports the device when it arrives.
        var updates = server.trackDevices().makeAsyncIterator()
        let initial = try await updates.next()
        #expect(initial?.contains(where: { $0.serial == serial }) == false)

        let message = try await server.connect(serial)
        #expect(message.contains("connected to \(serial)"))
        var arrived = false
        while !arrived, let list = try await updates.next() {
            arrived = list.contains { $0.serial == serial && $0.state == "device" }
        }
        #expect(arrived)

        let devices = try await server.devices()
        let info = try #require(devices.first { $0.serial == serial })
        #expect(info.model == "TetherModel")
        #expect(info.product == "tetherprod")

        let target = server.device(serial: serial)
        #expect(await target.sharedFeatures.contains(ADBFeature.shellV2))
        let result = try await target.shell("echo through the server; echo warn >&2; exit 5")
        #expect(result.stdoutText == "through the server\n")
        #expect(result.stderrText == "warn\n")
        #expect(result.exitCode == 5)

        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 31 + $0 / 7) }
        let sync = try await SyncClient.open(target)
        try await sync.push(data: bytes, to: "/sdcard/through-server.bin")
        let stat = try await sync.stat("/sdcard/through-server.bin")
        #expect(stat.size == UInt64(bytes.count))
        #expect(try await sync.pullData("/sdcard/through-server.bin") == bytes)
        await sync.close()

        #expect(try await target.exec("cat /sdcard/through-server.bin") == bytes)

        do {
            _ = try await server.device(serial: "no-such-serial").shell("echo")
            Issue.record("a missing serial must fail")
        } catch ADBError.serverFailure(let message) {
            #expect(message.contains("not found"))
        }

        _ = try await server.disconnect(serial)
        await adb.killServer()
        await device.stop()
    }
}
