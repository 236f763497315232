import ADB
import AndroidPhone
import Foundation
import Imaging
import PhoneRig
import Testing
import VirtualPhone

/// Secure screens, sleeping phones, slow phones and phones that go away.
@Suite struct RobustnessTests {
    /// A raw screencap of one colour, as a phone sends it.
    static func rawFrame(width: Int, height: Int, _ color: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        for v in [UInt32(width), UInt32(height), 1, 1] { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
        bytes.reserveCapacity(16 + width * height * 4)
        for _ in 0..<(width * height) { bytes += color }
        return bytes
    }

    @Test func aBlackFrameFromASecureWindowIsAnErrorNotAScreen() async throws {
        try await withPhoneRig(configuration: .oneStreamPerCommand) { rig in
            try await rig.phone.launch("Shop")
            // FLAG_SECURE: the app area comes back black while the bars are still drawn.
            rig.rules.add("screencap 2>") { _, io in
                var frame = Self.rawFrame(width: 720, height: 1600, [0, 0, 0, 255])
                for i in stride(from: 16, to: 16 + 720 * 60 * 4, by: 4) { frame[i] = 200 }  // status bar
                try? await io.stdout(frame)
                return 0
            }
            await #expect(throws: PhoneError.secureScreen(foreground: "com.tether.shop")) { try await rig.phone.screenshot() }
            await #expect(throws: PhoneError.secureScreen(foreground: "com.tether.shop")) {
                try await rig.phone.waitUntilSettled(timeout: .milliseconds(300))
            }
            // Asked for, the black frame is handed over.
            let black = try await rig.phone.screenshot(rejectBlack: false)
            #expect(Phone.isBlackFrame(black))
            // Asleep, the same frame means the screen is off.
            rig.rules.add("dumpsys power") { _, io in
                try? await io.out("POWER MANAGER (dumpsys power)\n  mWakefulness=Asleep\n")
                return 0
            }
            await #expect(throws: PhoneError.screenOff) { try await rig.phone.screenshot() }
        }
    }

    /// The virtual phone's power button and lock screen: a sleeping phone's screenshot is an
    /// error, `unlock()` wakes it and swipes the lock screen away.
    @Test func unlockWakesTheScreenAndSwipesTheLockScreenAway() async throws {
        try await withPhoneRig { rig in
            try await rig.phone.launch("Settings")
            try await rig.phone.key(named: "POWER")
            #expect(try await rig.phone.wakefulness() == .asleep)
            #expect(try await rig.phone.isLocked() == true)
            await #expect(throws: PhoneError.screenOff) { try await rig.phone.screenshot() }
            // Taps on a dark screen do nothing.
            try await rig.phone.tap(x: 360, y: 800)
            #expect(try await rig.phone.wakefulness() == .asleep)

            try await rig.phone.unlock()
            #expect(try await rig.phone.wakefulness() == .awake)
            #expect(try await rig.phone.isLocked() == false)
            #expect(try await rig.phone.foregroundApp()?.package == "com.android.settings")
            #expect(!Phone.isBlackFrame(try await rig.phone.screenshot()))
            // Unlocking an unlocked phone changes nothing.
            try await rig.phone.unlock()
            #expect(try await rig.phone.foregroundApp()?.package == "com.android.settings")
        }
    }

    @Test func aPINLockIsReportedNotBypassed() async throws {
        try await withPhoneRig { rig in
            await rig.device.setLockPIN("2468")
            await rig.device.sleep()
            await #expect(throws: PhoneError.locked) { try await rig.phone.unlock() }
            #expect(try await rig.phone.wakefulness() == .awake, "woken, but still locked")
            // The lock screen shows the PIN entry; a person (here the shell) types the PIN.
            let ui = try await rig.phone.uiHierarchy()
            #expect(ui.find("Enter PIN") != nil)
            try await rig.phone.shell("input text 1357; input keyevent KEYCODE_ENTER")
            #expect(try await rig.phone.isLocked() == true, "a wrong PIN keeps it locked")
            try await rig.phone.shell("input text 2468; input keyevent KEYCODE_ENTER")
            #expect(try await rig.phone.isLocked() == false)
        }
    }

    /// Hundreds of packages: the batched per-package commands are split into command lines that
    /// fit one OPEN message, so a stream per command still works.
    @Test func manyPackagesWithAStreamPerCommand() async throws {
        let extra = (0..<400).map { String(format: "com.example.generated.package%04d", $0) }
        try await withPhoneRig(
            configuration: .oneStreamPerCommand,
            adjust: { catalog in
                catalog.profiles["small-phone"]?.systemPackages?.append(contentsOf: extra)
            }
        ) { rig in
            let apps = try await rig.phone.apps()
            #expect(apps.count >= 400)
            print("DEBUG", apps.first { $0.package == "com.android.settings" } as Any, apps.count)
            #expect(apps.first { $0.package == "com.android.settings" }?.label == "Settings")
            #expect(apps.filter { $0.package.hasPrefix("com.example.generated.") }.count == 400)
            // Labels for all of them at once: hundreds of `pm path` and `stat` in batches.
            let labels = try await rig.phone.apkLabels(for: extra + ["com.android.settings"])
            #expect(labels.count == 401)
            #expect((try? labels["com.android.settings"]?.get())?.package == "com.android.settings")
            #expect(
                extra.allSatisfy { labels[$0].map { if case .failure = $0 { true } else { false } } ?? false },
                "packages with no APK behind them fail one by one")
        }
    }

    @Test func blackFrameDetection() throws {
        var image = try Image(width: 100, height: 200, fill: .black)
        #expect(Phone.isBlackFrame(image))
        _ = image.setPixel(x: 50, y: 100, to: Color(r: 0, g: 0, b: 40))
        // One lit pixel may fall between samples; a line of text does not.
        for x in 10..<90 { _ = image.setPixel(x: x, y: 100, to: .white) }
        #expect(!Phone.isBlackFrame(image))
        #expect(!Phone.isBlackFrame(try Image(width: 100, height: 200, fill: Color(r: 18, g: 18, b: 18))))
    }

    @Test func aHangingCommandTimesOut() async throws {
        var configuration = Phone.Configuration()
        configuration.commandTimeout = .milliseconds(500)
        configuration.usePersistentShell = false
        try await withPhoneRig(configuration: configuration) { rig in
            rig.rules.add("cmd input tap") { _, _ in
                try? await Task.sleep(for: .seconds(30))
                return 0
            }
            let clock = ContinuousClock()
            let start = clock.now
            await #expect(throws: PhoneError.timeout(action: "cmd input tap 1 2", after: .milliseconds(500))) {
                try await rig.phone.tap(x: 1, y: 2)
            }
            #expect(clock.now - start < .seconds(3))
            // The phone still works afterwards.
            let after = try await rig.phone.shell("input keyevent 3", timeout: .seconds(20))
            #expect(after.exitCode == 0)
        }
    }

    @Test func aHangingCommandInThePersistentShellTimesOutAndTheShellIsReplaced() async throws {
        var configuration = Phone.Configuration()
        configuration.commandTimeout = .milliseconds(500)
        try await withPhoneRig(configuration: configuration) { rig in
            rig.rules.add("cmd input tap 7 7") { _, _ in
                try? await Task.sleep(for: .seconds(30))
                return 0
            }
            await #expect(throws: PhoneError.self) { try await rig.phone.tap(x: 7, y: 7) }
            let ui = try await rig.phone.uiHierarchy()
            let icon = try #require(ui.find("Contacts"))
            try await rig.phone.tap(x: icon.bounds.center.x, y: icon.bounds.center.y)
            #expect(await rig.device.foreground.package == "com.android.contacts")
        }
    }

    @Test(arguments: [true, false])
    func aPhoneThatDisappearsMidActionIsAClearErrorNotAHang(persistent: Bool) async throws {
        var configuration = Phone.Configuration()
        configuration.usePersistentShell = persistent
        configuration.commandTimeout = .seconds(20)
        let rig = try await PhoneRig.start(configuration: configuration)
        rig.rules.add("cmd input swipe") { _, _ in
            try? await Task.sleep(for: .seconds(30))
            return 0
        }
        let clock = ContinuousClock()
        let start = clock.now
        let swipe = Task { try await rig.phone.swipe(fromX: 1, fromY: 1, toX: 100, toY: 100) }
        try await Task.sleep(for: .milliseconds(300))
        await rig.server.endpoint.stop()  // the phone goes away: its end of the connection closes
        do {
            try await swipe.value
            Issue.record("the swipe should have failed")
        } catch let error as PhoneError {
            guard case .disconnected = error else {
                Issue.record("expected .disconnected, got \(error)")
                return
            }
            #expect(error.description.contains("went away"))
        }
        #expect(clock.now - start < .seconds(5))
        // Later calls fail fast too.
        await #expect(throws: PhoneError.self) { try await rig.phone.screenshot() }
        await rig.stop()
    }

    @Test func concurrentActionsAllLand() async throws {
        try await withPhoneRig { rig in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<20 {
                    group.addTask { _ = try await rig.phone.shell("echo \(i)") }
                    group.addTask { try await rig.phone.key(.home) }
                }
                try await group.waitForAll()
            }
            let results = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for i in 0..<30 { group.addTask { (i, try await rig.phone.shell("echo n\(i)").stdoutText) } }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            #expect(results.count == 30 && results.allSatisfy { $0.value == "n\($0.key)\n" })
        }
    }
}
