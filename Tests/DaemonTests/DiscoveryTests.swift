import Foundation
import PhoneRig
import TetherTestSupport
import Testing

@testable import ADB
@testable import Daemon

/// Phones the daemon finds by itself: those of a running adb server, and USB ones as they come.
@Suite(.serialized) struct DiscoveryTests {
    /// The real adb server is told to connect a virtual phone; the daemon takes it from the
    /// server's device list, drives it through the server, and lets it go when adb does.
    @Test func theDaemonTakesAndReleasesTheAdbServersPhones() async throws {
        try await withPhoneRig { rig in
            let adb = try RealADB()
            try await adb("start-server")
            let serial = "127.0.0.1:\(rig.port)"
            var options = TetherDaemon.Options()
            options.discovery = DeviceDiscovery(usb: false, server: ADBServerClient(port: adb.serverPort))
            try await withDaemon(options: options) { _, api in
                let connected = try await adb("connect", serial)
                #expect(connected.stdoutText.contains("connected"), "\(connected.stdoutText)")
                try await api.waitForDevice(serial)
                let info = try await api.call(.GET, "/v1/devices/\(serial)").json ?? [:]
                #expect(info["address"] as? String == "adb-server:127.0.0.1:\(adb.serverPort)/\(serial)", "\(info)")
                let screenshot = try await api.call(.GET, "/v1/devices/\(serial)/screenshot")
                #expect(screenshot.status == 200 && screenshot.body.starts(with: [0x89, 0x50, 0x4E, 0x47]))

                _ = try await adb("disconnect", serial)
                try await api.waitForDevice(serial, state: "offline")
                let gone = try await api.call(.GET, "/v1/devices/\(serial)").json ?? [:]
                #expect((gone["message"] as? String)?.contains("no longer lists it") == true, "\(gone)")
            }
            await adb.killServer()
        }
    }

    @Test func discoveryEventsSetStatesAndNeverTakeOverATCPPhone() async throws {
        let scratch = TemporaryDirectory()
        let manager = DeviceManager(store: try Store(directory: scratch.url))
        let server = ADBServerClient(port: 1)
        func event(_ kind: DeviceEvent.Kind, _ serial: String, _ state: String, _ transport: ADBDeviceInfo.Transport) -> DeviceEvent {
            DeviceEvent(kind: kind, device: ADBDeviceInfo(serial: serial, state: state, path: "1-2", transport: transport))
        }

        await manager.seen(event(.arrived, "USB1", "unauthorized", .usb), server: server)
        let unauthorized = try #require(await manager.info("USB1"))
        #expect(unauthorized.state == .unauthorized && unauthorized.address == "usb:1-2")
        #expect(unauthorized.message?.contains("Allow USB debugging") == true)

        // The server takes the phone's USB interface once it runs: reached through it from now on.
        await manager.seen(event(.arrived, "USB1", "device", .server), server: server)
        #expect(await manager.info("USB1")?.address == "adb-server:127.0.0.1:1/USB1")
        // A USB event for it then changes nothing.
        await manager.seen(event(.changed, "USB1", "unauthorized", .usb), server: server)
        #expect(await manager.info("USB1")?.state == .offline)
        await manager.seen(event(.left, "USB1", "device", .server), server: server)
        #expect(await manager.info("USB1")?.message?.contains("no longer lists it") == true)

        // A TCP phone of ours that the adb server also lists stays ours.
        try await manager.add(address: "127.0.0.1:5999")
        await manager.seen(event(.arrived, "127.0.0.1:5999", "device", .server), server: server)
        #expect(await manager.info("127.0.0.1:5999")?.address == "127.0.0.1:5999")
        await manager.seen(event(.left, "127.0.0.1:5999", "device", .server), server: server)
        #expect(await manager.info("127.0.0.1:5999")?.message?.contains("no longer lists it") != true)
    }
}
