import Basics
import AndroidPhone
import Foundation
import Imaging
import TetherTestSupport
import PhoneRig
import Testing
import VirtualPhone

/// The phone commands of the built `tether` executable, run as a user runs them against a
/// virtual phone on 127.0.0.1, with the phone's state checked after each.
@Suite(.serialized) struct PhoneCLITests {
    let home = TemporaryDirectory()

    func tether(_ args: [String], rig: PhoneRig) async throws -> ProcessResult {
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = home.path
        env["XDG_CACHE_HOME"] = home.url.appendingPathComponent("cache").path
        env["ANDROID_ADB_SERVER_PORT"] = "1"
        env.removeValue(forKey: "ANDROID_SERIAL")
        guard let command = args.first else { throw PhoneError.invalidArgument("no command") }
        return try await run([tetherExecutable, command, "--connect", "127.0.0.1:\(rig.port)"] + args.dropFirst(), environment: env, timeout: 120)
    }

    @Test func screenshotWritesThePhonesFrame() async throws {
        guard tetherIsBuilt() else { return }
        try await withPhoneRig { rig in
            let png = home.url.appendingPathComponent("screen.png")
            let result = try await tether(["screenshot", "-o", png.path], rig: rig)
            #expect(result.status == 0, "\(result.stderrText)")
            let image = try Image(pngData: [UInt8](try Data(contentsOf: png)))
            #expect(image == (await rig.device.screenshot()), "pixel for pixel")

            let jpg = home.url.appendingPathComponent("screen.jpg")
            #expect(try await tether(["screenshot", "-o", jpg.path, "--quality", "80"], rig: rig).status == 0)
            let bytes = [UInt8](try Data(contentsOf: jpg))
            #expect(bytes.starts(with: [0xFF, 0xD8, 0xFF]), "a JPEG by its name")
            #expect(try Image(jpegData: bytes).width == image.width)
        }
    }

    @Test func launchKeyTapTypeAndAppsChangeThePhone() async throws {
        guard tetherIsBuilt() else { return }
        try await withPhoneRig { rig in
            // Launch by the label read from the phone's APKs.
            #expect(try await tether(["launch", "Contacts"], rig: rig).status == 0)
            #expect(await rig.device.foreground.package == "com.android.contacts")
            #expect(try await tether(["key", "HOME"], rig: rig).status == 0)
            #expect(await rig.device.foreground.package == VirtualPhone.launcherPackage)

            // Type into a field focused by a tap at the coordinates `tether ui --json` gives.
            try await rig.phone.start(Intent(action: "android.intent.action.INSERT", mimeType: "vnd.android.cursor.dir/contact"))
            let ui = try await tether(["ui", "--json"], rig: rig)
            #expect(ui.status == 0)
            #expect(ui.stdoutText.contains("\"Name\""), "the form's Name field is in the tree")
            let name = try #require(try await rig.phone.uiHierarchy().find("Name"))
            #expect(try await tether(["tap", "\(name.bounds.center.x)", "\(name.bounds.center.y)"], rig: rig).status == 0)
            let typed = try await tether(["type", "王小明", "🙂"], rig: rig)
            #expect(typed.status == 0, "\(typed.stderrText)")
            #expect(typed.stderrText.contains("ADB Keyboard"))
            #expect(await rig.device.formValue("name") == "王小明 🙂")

            let apps = try await tether(["apps", "--launchable", "--json"], rig: rig)
            #expect(apps.status == 0)
            let list = try JSONDecoder().decode([InstalledApp].self, from: apps.stdout)
            #expect(list.first { $0.package == "com.android.settings" }?.label == "Settings")
            #expect(list.allSatisfy { $0.launcherActivity != nil })
        }
    }

    @Test func unlockWakesThePhoneOrSaysAPINIsNeeded() async throws {
        guard tetherIsBuilt() else { return }
        try await withPhoneRig { rig in
            await rig.device.sleep()
            let unlocked = try await tether(["unlock"], rig: rig)
            #expect(unlocked.status == 0, "\(unlocked.stderrText)")
            let (awake, locked) = (await rig.device.awake, await rig.device.keyguardShowing)
            #expect(awake && !locked)

            await rig.device.setLockPIN("2468")
            await rig.device.sleep()
            let refused = try await tether(["unlock"], rig: rig)
            #expect(refused.status == 1)
            #expect(refused.stderrText.contains("locked with a PIN"), "\(refused.stderrText)")
            #expect(await rig.device.keyguardShowing)
        }
    }

    @Test func eventsPrintsAPersonsGesturesAsJSONLines() async throws {
        guard tetherIsBuilt() else { return }
        try await withPhoneRig { rig in
            // The command and a person tapping until it has seen two taps (getevent starts a
            // moment after launch), side by side.
            let exited = Locked(false)
            let results = try await withThrowingTaskGroup(of: ProcessResult?.self) { group in
                group.addTask {
                    defer { exited.set(true) }
                    return try await tether(["events", "--count", "2"], rig: rig)
                }
                group.addTask {
                    for _ in 0..<150 {
                        if exited.value { break }
                        await rig.device.humanTap(x: 100, y: 200)
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    return nil
                }
                return try await group.reduce(into: [ProcessResult]()) { if let r = $1 { $0.append(r) } }
            }
            let result = try #require(results.first)
            #expect(result.status == 0, "\(result.stderrText)")
            let lines = result.stdoutText.split(separator: "\n")
            #expect(lines.count == 2)
            for line in lines {
                let gesture = try JSONDecoder().decode(Gesture.self, from: Data(line.utf8))
                #expect(gesture.kind == .tap)
                #expect(abs((gesture.x ?? 0) - 100) <= 1 && abs((gesture.y ?? 0) - 200) <= 1)
            }
        }
    }

    /// Arguments that cannot work are refused before the phone is touched, with a message that
    /// says what is accepted.
    @Test func impossibleArgumentsAreRefused() async throws {
        guard tetherIsBuilt() else { return }
        try await withPhoneRig { rig in
            let tap = try await tether(["tap", "--", "-5", "10"], rig: rig)
            #expect(tap.status != 0)
            #expect(tap.stderrText.contains("not on the screen"), "\(tap.stderrText)")
            let key = try await tether(["key", "99999"], rig: rig)
            #expect(key.status != 0)
            #expect(key.stderrText.contains("unknown key \"99999\""), "\(key.stderrText)")
            let gif = home.url.appendingPathComponent("x.gif")
            let shot = try await tether(["screenshot", "-o", gif.path], rig: rig)
            #expect(shot.status != 0)
            #expect(shot.stderrText.contains(".png, .jpg or .jpeg"), "\(shot.stderrText)")
            #expect(!FileManager.default.fileExists(atPath: gif.path))
        }
    }

    /// `tether type` with no field focused fails with the reason; five `tether type` processes
    /// into one field all land.
    @Test func typeFailsWithoutAFieldAndConcurrentProcessesAllLand() async throws {
        guard tetherIsBuilt() else { return }
        try await withPhoneRig { rig in
            #expect(try await tether(["launch", "Settings"], rig: rig).status == 0)
            let refused = try await tether(["type", "hello"], rig: rig)
            #expect(refused.status != 0)
            #expect(refused.stderrText.contains("no text field has focus"), "\(refused.stderrText)")

            try await rig.phone.start(Intent(action: "android.intent.action.INSERT", mimeType: "vnd.android.cursor.dir/contact"))
            let name = try #require(try await rig.phone.uiHierarchy().find("Name"))
            try await rig.phone.tap(x: name.bounds.center.x, y: name.bounds.center.y)
            let chunks = ["<one>", "<two>", "<three>", "<four>", "<five>"]
            let results = try await withThrowingTaskGroup(of: ProcessResult.self) { group in
                for chunk in chunks { group.addTask { try await tether(["type", chunk], rig: rig) } }
                var all: [ProcessResult] = []
                for try await result in group { all.append(result) }
                return all
            }
            for result in results { #expect(result.status == 0, "\(result.stderrText)") }
            let value = await rig.device.formValue("name") ?? ""
            for chunk in chunks { #expect(value.contains(chunk), "\(chunk) in \(value)") }
            #expect(value.count == chunks.joined().count)
        }
    }

    @Test func anUnreachablePhoneIsAClearError() async throws {
        guard tetherIsBuilt() else { return }
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = home.path
        let result = try await run([tetherExecutable, "tap", "--connect", "127.0.0.1:1", "10", "10"], environment: env, timeout: 60)
        #expect(result.status != 0)
        #expect(!result.stderrText.isEmpty && result.stderrText.count < 600, "one clear line, not a dump: \(result.stderrText)")
    }
}
