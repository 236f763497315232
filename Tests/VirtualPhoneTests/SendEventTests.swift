import Foundation
import TetherTestSupport
import Testing
@testable import VirtualPhone

/// `sendevent` as toybox has it: a person's touches and keys written to the phone's input devices.
@Suite struct SendEventTests {
    @Test func errorsAreToyboxs() async throws {
        let phone = try makePhone()
        defer { phone.removeFiles() }
        let none = await sh(phone, "sendevent")
        #expect(none.status == 1 && none.err.hasPrefix("usage: sendevent DEVICE TYPE CODE VALUE") && none.err.hasSuffix("sendevent: Need 4 arguments\n"))
        let many = await sh(phone, "sendevent /dev/input/event3 0 0 0 0")
        #expect(many.status == 1 && many.err.hasSuffix("sendevent: Max 4 arguments\n"))
        let missing = await sh(phone, "sendevent /dev/input/event9 0 0 0")
        #expect(missing.status == 1 && missing.err == "sendevent: /dev/input/event9: No such file or directory\n")
        let notInput = await sh(phone, "sendevent /sdcard 0 0 0")
        #expect(notInput.status == 1 && notInput.err == "sendevent: EVIOCGVERSION failed for /sdcard: Inappropriate ioctl for device\n")
        let fine = await sh(phone, "sendevent /dev/input/event3 0 0 0")
        #expect(fine.status == 0 && fine.out.isEmpty && fine.err.isEmpty)
    }

    @Test func numbersAreReadAsAtoiReadsThemAndInHex() {
        #expect(VirtualPhoneShell.cInteger("57") == 57)
        #expect(VirtualPhoneShell.cInteger("0x39") == 57)
        #expect(VirtualPhoneShell.cInteger("-1") == -1)
        #expect(VirtualPhoneShell.cInteger("12abc") == 12)
        #expect(VirtualPhoneShell.cInteger("abc") == 0)
        #expect(UInt32(bitPattern: Int32(truncatingIfNeeded: VirtualPhoneShell.cInteger("4294967295"))) == 0xFFFF_FFFF)
    }

    /// Protocol B from the shell: down, a move past the slop, up is a swipe; a still touch held
    /// is a long press; BTN_TOUCH alone with ABS positions is a tap.
    @Test func writtenTouchesAreGestures() async throws {
        let phone = try makePhone()
        defer { phone.removeFiles() }
        let m = await phone.touchMax
        func raw(_ x: Int, _ y: Int) -> (Int, Int) { (x * (m.x + 1) / phone.profile.width, y * (m.y + 1) / phone.profile.height) }
        let a = raw(360, 1200), b = raw(360, 500)
        let d = "/dev/input/event3"
        _ = await sh(phone, "sendevent \(d) 3 57 12; sendevent \(d) 1 330 1; sendevent \(d) 3 53 \(a.0); sendevent \(d) 3 54 \(a.1); sendevent \(d) 0 0 0")
        _ = await sh(phone, "sendevent \(d) 3 54 \(b.1); sendevent \(d) 0 0 0")
        #expect(await phone.touch != nil)
        _ = await sh(phone, "sendevent \(d) 3 57 -1; sendevent \(d) 1 330 0; sendevent \(d) 0 0 0")
        #expect(await phone.touch == nil)
        #expect(await phone.lastRecognizedGesture == "swipe")

        _ = await sh(phone, "sendevent \(d) 3 0x39 13; sendevent \(d) 3 0x35 \(a.0); sendevent \(d) 3 0x36 \(a.1); sendevent \(d) 0 0 0")
        try await Task.sleep(for: .milliseconds(600))
        _ = await sh(phone, "sendevent \(d) 3 0x39 -1; sendevent \(d) 0 0 0")
        #expect(await phone.lastRecognizedGesture == "longpress")
    }

    /// The keys device: Back and Home act on release, as the framework does.
    @Test func writtenKeysAreKeyPresses() async throws {
        let phone = try makePhone()
        defer { phone.removeFiles() }
        #expect(await phone.launch("com.android.settings"))
        _ = await sh(phone, "sendevent /dev/input/event1 1 158 1; sendevent /dev/input/event1 0 0 0")
        #expect(await phone.foreground.package == "com.android.settings")
        _ = await sh(phone, "sendevent /dev/input/event1 1 158 0; sendevent /dev/input/event1 0 0 0")
        #expect(await phone.foreground.package == VirtualPhone.launcherPackage)
        // A code the device does not declare is dropped, as the kernel drops it.
        #expect(await phone.launch("com.android.settings"))
        _ = await sh(phone, "sendevent /dev/input/event1 1 30 1; sendevent /dev/input/event1 1 30 0")
        #expect(await phone.foreground.package == "com.android.settings")
        _ = await sh(phone, "sendevent /dev/input/event1 1 172 1; sendevent /dev/input/event1 1 172 0")
        #expect(await phone.foreground.package == VirtualPhone.launcherPackage)
        // A person's Back press through the control API is on the same device.
        let (id, stream) = await phone.subscribe()
        await phone.pressKey(4)
        await phone.unsubscribe(id)
        var seen: [String] = []
        for await e in stream { seen.append("\(e.device) \(e.type) \(e.code) \(e.value)") }
        #expect(seen == ["1 1 158 1", "1 0 0 0", "1 1 158 0", "1 0 0 0"])
        let caps = await sh(phone, "getevent -lp /dev/input/event1")
        for key in ["KEY_BACK", "KEY_HOMEPAGE", "KEY_APPSELECT", "KEY_POWER"] { #expect(caps.out.contains(key), "\(caps.out)") }
    }
}

/// The same, through Debian's real `adb`: a tap written with sendevent opens an app, and a
/// `getevent -lt` running meanwhile shows the events exactly as written.
@Suite(.serialized, .enabled(if: RealADB.isInstalled)) struct SendEventRealADBTests {
    @Test func aTapWrittenWithSendeventOpensAnApp() async throws {
        let server = try await startPhone(profile: "small-phone")
        let adb = try RealADB()
        let serial = server.serial
        try await withCleanup {
            _ = try await adb("connect", serial)
            let xml = try await adb("-s", serial, "exec-out", "uiautomator dump /dev/tty").stdoutText
            let icon = try #require(center(of: "Contacts", in: xml))
            let caps = try await adb("-s", serial, "shell", "getevent -lp /dev/input/event3").stdoutText
            let maxX = try #require(Self.axisMax("ABS_MT_POSITION_X", in: caps)), maxY = try #require(Self.axisMax("ABS_MT_POSITION_Y", in: caps))
            let rx = icon.x * (maxX + 1) / 720, ry = icon.y * (maxY + 1) / 1600
            let written: [(Int, Int, Int)] = [(3, 0x39, 77), (1, 0x14a, 1), (3, 0x35, rx), (3, 0x36, ry), (0, 0, 0), (3, 0x39, -1), (1, 0x14a, 0), (0, 0, 0)]
            async let stream = adb("-s", serial, "shell", "getevent -lt -c \(written.count)", timeout: 30)
            let listening = await eventually(timeout: .seconds(20)) { await server.phone.subscribers.count > 0 }
            #expect(listening)
            let down = written.prefix(5).map { "sendevent /dev/input/event3 \($0.0) \($0.1) \($0.2)" }.joined(separator: "; ")
            let up = written.suffix(3).map { "sendevent /dev/input/event3 \(String(format: "0x%x", $0.0)) \(String(format: "0x%x", $0.1)) \($0.2)" }.joined(separator: "; ")
            let r1 = try await adb("-s", serial, "shell", down)
            let r2 = try await adb("-s", serial, "shell", up)
            #expect(r1.status == 0 && r2.status == 0, "\(r1.stderrText) \(r2.stderrText)")
            let activities = try await adb("-s", serial, "shell", "dumpsys activity activities | grep mResumedActivity").stdoutText
            #expect(activities.contains("com.android.contacts/"), "\(activities)")
            #expect(await server.phone.lastRecognizedGesture == "tap")

            let out = try await stream.stdoutText
            let lines = out.split(separator: "\n").filter { $0.contains("/dev/input/event3:") }
            #expect(lines.count == written.count, "\(out)")
            let expected = [
                "EV_ABS       ABS_MT_TRACKING_ID   0000004d", "EV_KEY       BTN_TOUCH            DOWN                ",
                "EV_ABS       ABS_MT_POSITION_X    " + String(format: "%08x", rx), "EV_ABS       ABS_MT_POSITION_Y    " + String(format: "%08x", ry),
                "EV_SYN       SYN_REPORT           00000000", "EV_ABS       ABS_MT_TRACKING_ID   ffffffff",
                "EV_KEY       BTN_TOUCH            UP                  ", "EV_SYN       SYN_REPORT           00000000"
            ]
            for (line, want) in zip(lines, expected) {
                #expect(line.hasSuffix("/dev/input/event3: " + want), "\(line)")
            }
            _ = try await adb("disconnect", serial)
            await adb.killServer()
        } cleanup: {
            await server.stop()
        }
    }

    static func axisMax(_ name: String, in caps: String) -> Int? {
        guard let line = caps.split(separator: "\n").first(where: { $0.contains(name) }), let r = line.range(of: "max ") else { return nil }
        return Int(line[r.upperBound...].prefix { $0.isNumber })
    }
}
