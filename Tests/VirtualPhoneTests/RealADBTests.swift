import ADB
import Foundation
import TetherTestSupport
import Imaging
import Testing
@testable import VirtualPhone

/// The virtual phone driven by Debian's real `adb` (a peer nobody here wrote).
@Suite(.serialized, .enabled(if: RealADB.isInstalled)) struct RealADBTests {
    @Test func realADBDrivesThePhone() async throws {
        let server = try await startPhone(profile: "pixel-7")
        let adb = try RealADB()
        let serial = server.serial
        try await withCleanup {
            let connect = try await adb("connect", serial)
            #expect(connect.stdoutText.contains("connected to \(serial)"), "\(connect.stdoutText) \(connect.stderrText)")
            let devices = try await adb("devices", "-l")
            #expect(devices.stdoutText.contains("\(serial)") && devices.stdoutText.contains("model:Pixel_7"), "\(devices.stdoutText)")

            // screencap -p decodes as a PNG of the profile's size; raw has the 16-byte header.
            let png = try await adb("-s", serial, "exec-out", "screencap", "-p")
            let image = try Image(encodedData: Array(png.stdout))
            #expect(image.width == 1080 && image.height == 2400)
            let raw = try await adb("-s", serial, "exec-out", "screencap")
            let frame = try RawScreencap(decoding: Array(raw.stdout))
            #expect(frame.image.width == 1080 && frame.headerSize == 16 && frame.format == .rgba8888)
            #expect(frame.image == image)

            // Tap the Settings icon where uiautomator says it is; dumpsys shows Settings resumed.
            let dump = try await adb("-s", serial, "shell", "uiautomator dump /sdcard/window_dump.xml")
            #expect(dump.stdoutText.contains("UI hierchary dumped to: /sdcard/window_dump.xml"))
            let pulled = adb.home.url.appendingPathComponent("dump.xml")
            _ = try await adb("-s", serial, "pull", "/sdcard/window_dump.xml", pulled.path)
            let xml = try String(contentsOf: pulled, encoding: .utf8)
            #expect(xml.hasPrefix("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">"))
            let settings = try #require(center(of: "Settings", in: xml))
            _ = try await adb("-s", serial, "shell", "input", "tap", "\(settings.x)", "\(settings.y)")
            let activities = try await adb("-s", serial, "shell", "dumpsys activity activities")
            #expect(activities.stdoutText.contains("mResumedActivity: ActivityRecord{"))
            let resumed = activities.stdoutText.split(separator: "\n").first { $0.contains("mResumedActivity:") } ?? ""
            #expect(resumed.contains(" com.android.settings/.Settings t"), "\(resumed)")
            let window = try await adb("-s", serial, "shell", "dumpsys window | grep mCurrentFocus")
            #expect(
                window.stdoutText.contains("mCurrentFocus=Window{") && window.stdoutText.contains(" u0 com.android.settings/com.android.settings.Settings}"),
                "\(window.stdoutText)")

            // input text fills a focused field.
            _ = try await adb("-s", serial, "shell", "am start -a android.intent.action.INSERT -t vnd.android.cursor.dir/contact")
            let editXML = await server.phone.uiHierarchyXML()
            let name = try #require(center(of: "Name", in: editXML))
            _ = try await adb("-s", serial, "shell", "input tap \(name.x) \(name.y)")
            _ = try await adb("-s", serial, "shell", "input text Zoe%sQuinn")
            #expect(await server.phone.formValue("name") == "Zoe Quinn")
            let after = try await adb("-s", serial, "exec-out", "uiautomator dump /dev/tty")
            #expect(after.stdoutText.contains("text=\"Zoe Quinn\"") && after.stdoutText.contains("focused=\"true\""))

            // Shell v2 exit codes and errors as on a phone.
            let unknown = try await adb("-s", serial, "shell", "frobnicate")
            #expect(unknown.status == 127 && unknown.stderrText.contains("frobnicate: not found"))
            let size = try await adb("-s", serial, "shell", "wm size; wm density")
            #expect(size.stdoutText == "Physical size: 1080x2400\nPhysical density: 420\n")

            _ = try await adb("disconnect", serial)
            await adb.killServer()
        } cleanup: {
            await server.stop()
        }
    }

    /// Debian's adb pulls the APK `pm path` names, and `exec-out dd` reads a byte range of it.
    @Test func realADBPullsAndReadsRangesOfAnAPK() async throws {
        let server = try await startPhone(profile: "pixel-7")
        let adb = try RealADB()
        let serial = server.serial
        try await withCleanup {
            _ = try await adb("connect", serial)
            let path = try await adb("-s", serial, "shell", "pm path com.android.settings").stdoutText
                .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "package:", with: "")
            let pulled = adb.home.url.appendingPathComponent("settings.apk")
            _ = try await adb("-s", serial, "pull", path, pulled.path)
            let bytes = try Data(contentsOf: pulled)
            #expect(bytes.prefix(4) == Data([0x50, 0x4B, 0x03, 0x04]))
            let range = try await adb("-s", serial, "exec-out", "dd if=\(path) bs=65536 iflag=skip_bytes,count_bytes skip=30 count=19 2>/dev/null")
            #expect(range.stdout == bytes.subdata(in: 30..<49))
            #expect(String(decoding: range.stdout, as: UTF8.self) == "AndroidManifest.xml")
            _ = try await adb("disconnect", serial)
        } cleanup: {
            await server.stop()
        }
    }

    @Test func geteventStreamsATouchThatAPersonMakes() async throws {
        let server = try await startPhone(profile: "pixel-7")
        let adb = try RealADB()
        let serial = server.serial
        try await withCleanup {
            _ = try await adb("connect", serial)
            let caps = try await adb("-s", serial, "shell", "getevent -lp")
            #expect(caps.stdoutText.contains("ABS_MT_POSITION_X") && caps.stdoutText.contains("max 4095"))
            #expect(caps.stdoutText.contains("INPUT_PROP_DIRECT"))
            // getevent runs in the real adb while a "person" taps the screen; -c 8 makes it end after
            // the eight events of one tap.
            async let stream = adb("-s", serial, "shell", "getevent -lt -c 8", timeout: 30)
            try await Task.sleep(for: .milliseconds(1500))
            await server.phone.humanTap(x: 540, y: 1200)
            let out = try await stream.stdoutText
            let lines = out.split(separator: "\n").filter { $0.contains("/dev/input/event3:") }
            #expect(lines.count == 8, "\(out)")
            #expect(lines.first?.contains("EV_ABS       ABS_MT_TRACKING_ID   ") ?? false)
            #expect(out.contains("EV_KEY       BTN_TOUCH            DOWN"))
            #expect(out.contains("EV_ABS       ABS_MT_POSITION_X    00000800"))  // 540 of 1080 on a 0–4095 axis
            #expect(out.contains("EV_ABS       ABS_MT_TRACKING_ID   ffffffff"))
            #expect(lines.allSatisfy { $0.hasPrefix("[") && $0.contains("] /dev/input/event3: ") })
            #expect(await server.phone.lastRecognizedGesture == "tap")
            _ = try await adb("disconnect", serial)
            await adb.killServer()
        } cleanup: {
            await server.stop()
        }
    }
}

/// Tether's own host half against the phone: shell v2, exec and the task checker over adb.
@Suite struct HostTests {
    @Test func tetherHostChecksATaskOverADB() async throws {
        let task = try #require(try catalog().task("settings-dark-mode"))
        let server = try await startPhone(task: task)
        try await withCleanup {
            let transport = try await TCPPacketTransport.connect(host: "127.0.0.1", port: server.port)
            let connection = try await ADBHost.connect(transport: transport, keys: nil)
            #expect(!(try await TaskChecker.check(task, on: connection)).passed)
            let r = try await connection.shell("settings put secure ui_night_mode 2 && settings get secure ui_night_mode")
            #expect(r.stdoutText == "2\n" && r.exitCode == 0)
            let result = try await TaskChecker.check(task, on: connection)
            #expect(result.passed, "\(result.reasons)")
            let png = try await connection.exec("screencap -p")
            #expect(Array(png.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
            await connection.close()
        } cleanup: {
            await server.stop()
        }
    }
}
