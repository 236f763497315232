import Foundation
import TetherTestSupport
import Testing
@testable import ADB

@Suite(.serialized) struct DeviceMonitorTests {
    @Test func diffReportsArrivalsStateChangesAndDepartures() {
        let a = ADBDeviceInfo(serial: "A", state: "unauthorized", transport: .usb)
        var a2 = a
        a2.state = "device"
        let b = ADBDeviceInfo(serial: "B", state: "device", transport: .server)
        let sameSerialOtherTransport = ADBDeviceInfo(serial: "A", state: "device", transport: .server)
        #expect(DeviceMonitor.diff(old: [], new: [a]) == [DeviceEvent(kind: .arrived, device: a)])
        #expect(DeviceMonitor.diff(old: [a], new: [a2]) == [DeviceEvent(kind: .changed, device: a2)])
        #expect(DeviceMonitor.diff(old: [a2, b], new: [a2]) == [DeviceEvent(kind: .left, device: b)])
        #expect(DeviceMonitor.diff(old: [a], new: [a, sameSerialOtherTransport]).map(\.kind) == [.arrived])
        #expect(DeviceMonitor.diff(old: [a, b], new: [a, b]).isEmpty)
    }

    /// Arrivals and departures seen through the real adb server's track-devices.
    @Test func serverDevicesArriveAndLeave() async throws {
        let device = try await TestDevice.start()
        let adb = try RealADB()
        try await adb("start-server")
        let serial = "127.0.0.1:\(device.port)"
        let seen = EventLog()
        let watcher = Task {
            for await event in DeviceMonitor.events(usb: nil, server: ADBServerClient(port: adb.serverPort)) {
                await seen.append(event)
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        _ = try await adb("connect", serial)
        #expect(await seen.waitFor { $0.device.serial == serial && $0.device.state == "device" && $0.kind != .left })
        _ = try await adb("disconnect", serial)
        #expect(await seen.waitFor { $0.device.serial == serial && $0.kind == .left })
        watcher.cancel()
        await adb.killServer()
        await device.stop()
    }
}

actor EventLog {
    var events: [DeviceEvent] = []
    func append(_ e: DeviceEvent) { events.append(e) }

    /// True once an event matches, false after ten seconds.
    func waitFor(_ match: @Sendable (DeviceEvent) -> Bool) async -> Bool {
        for _ in 0..<200 {
            if events.contains(where: match) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}
