import ADB
import AndroidPhone
import Foundation
import Imaging
import TetherTestSupport
import PhoneRig
import Testing
import VirtualPhone
import Basics

/// Every action against the virtual phone through the real ADB transport, checked on the
/// phone's own state.
@Suite struct PhoneActionTests {
    @Test func screenshotIsThePhonesFramePixelForPixel() async throws {
        try await withPhoneRig { rig in
            let image = try await rig.phone.screenshot()
            let expected = await rig.device.screenshot()
            #expect(image.width == 720 && image.height == 1600)
            #expect(image == expected)
            let display = try await rig.phone.display()
            #expect(display == DisplayInfo(naturalWidth: 720, naturalHeight: 1600, density: 320, rotation: 0))
            #expect(try await rig.phone.wakefulness() == .awake)
        }
    }

    @Test func screenshotFallsBackToPNGWhenTheRawFrameIsUnreadable() async throws {
        try await withPhoneRig { rig in
            // A raw frame in a format Tether cannot decode (RGBA_FP16 = 0x16).
            rig.rules.add("screencap 2>") { _, io in
                var header: [UInt8] = []
                for v: UInt32 in [720, 1600, 0x16, 1] { withUnsafeBytes(of: v.littleEndian) { header += $0 } }
                try? await io.stdout(header + [UInt8](repeating: 7, count: 64))
                return 0
            }
            let image = try await rig.phone.screenshot()
            #expect(image == (await rig.device.screenshot()))
        }
    }

    /// Raw frames in every layout a phone sends, in awkward chunks (the header split across
    /// writes): what `screenshot()` returns equals Imaging's decoding of the same bytes.
    @Test(arguments: [(1, 16), (2, 16), (4, 16), (3, 16), (1, 12), (5, 16)])
    func rawFramesOfEveryFormatAndHeader(format: UInt32, headerSize: Int) async throws {
        let (width, height) = (64, 48)
        let bpp = [1: 4, 2: 4, 3: 3, 4: 2, 5: 4][Int(format)] ?? 4
        var rng = SplitMix64(seed: UInt64(format) * 100 + UInt64(headerSize))
        let words: [UInt32] = headerSize == 16 ? [UInt32(width), UInt32(height), format, 1] : [UInt32(width), UInt32(height), format]
        var frame: [UInt8] = words.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
        // Mid-grey noise: never a black (secure) frame.
        frame += (0..<(width * height * bpp)).map { _ in UInt8.random(in: 60...200, using: &rng) }
        let expected = try RawScreencap(decoding: frame).image
        let bytes = frame
        try await withPhoneRig(configuration: .oneStreamPerCommand) { rig in
            rig.rules.add("screencap 2>") { _, io in
                var offset = 0
                for size in [5, 3, 7, 1000, 65536] + Array(repeating: 4096, count: 100) where offset < bytes.count {
                    let end = min(bytes.count, offset + size)
                    try? await io.stdout(Array(bytes[offset..<end]))
                    offset = end
                }
                return 0
            }
            let image = try await rig.phone.screenshot()
            #expect(image == expected)
            if format == 2 { #expect(image.withUnsafeBytes { $0[3] } == 255, "RGBX is opaque") }
        }
    }

    /// Input goes through `cmd input` where the phone has it (no new process per action), and
    /// through `input` on a phone whose `cmd` has no input service (Android 10 and older).
    @Test(arguments: [true, false])
    func inputUsesCmdInputWhenThePhoneHasIt(hasCmdInput: Bool) async throws {
        try await withPhoneRig(configuration: .oneStreamPerCommand) { rig in
            let seen = CommandLog()
            if !hasCmdInput {
                rig.rules.add("cmd input") { line, io in
                    await seen.add(line)
                    try? await io.out("cmd: Can't find service: input\n")
                    return 255
                }
            }
            rig.rules.add("input ") { line, _ in
                await seen.add(line)
                return nil  // the phone runs it
            }
            rig.rules.add("cmd input ") { line, _ in
                await seen.add(line)
                return nil
            }
            try await rig.phone.key(.home)
            try await rig.phone.tap(x: 360, y: 30)
            let lines = await seen.lines
            let tool = hasCmdInput ? "cmd input" : "input"
            #expect(lines.contains("\(tool) keyevent 3"), "\(lines)")
            #expect(lines.contains("\(tool) tap 360 30"), "\(lines)")
        }
    }

    @Test func tapOpensTheAppUnderTheFinger() async throws {
        try await withPhoneRig { rig in
            let ui = try await rig.phone.uiHierarchy()
            let icon = try #require(ui.find("Settings"))
            try await rig.phone.tap(x: icon.bounds.center.x, y: icon.bounds.center.y)
            #expect(await rig.device.foreground.package == "com.android.settings")
            let front = try #require(try await rig.phone.foregroundApp())
            #expect(front.package == "com.android.settings")
            #expect(front.activity == "com.android.settings/com.android.settings.Settings" || front.activity == "com.android.settings/.Settings")
            #expect(await rig.device.lastRecognizedGesture == "tap")
        }
    }

    @Test func doubleTapLandsInsideTheDoubleTapWindow() async throws {
        try await withPhoneRig { rig in
            try await rig.phone.doubleTap(x: 360, y: 400)
            #expect(await rig.device.lastRecognizedGesture == "doubletap")
        }
    }

    @Test func longPressAndSwipe() async throws {
        try await withPhoneRig { rig in
            try await rig.phone.longPress(x: 360, y: 400, duration: .milliseconds(700))
            #expect(await rig.device.lastRecognizedGesture == "longpress")
            // A swipe down from the status bar opens the shade, which then has the focus.
            try await rig.phone.swipe(fromX: 360, fromY: 4, toX: 360, toY: 900, duration: .milliseconds(200))
            #expect(await rig.device.lastRecognizedGesture == "swipe")
            let front = try await rig.phone.foregroundApp()
            #expect(front?.package == "com.android.launcher3" && front?.window == "NotificationShade", "\(String(describing: front))")
        }
    }

    @Test func keysGoBackAndHome() async throws {
        try await withPhoneRig { rig in
            try await rig.phone.launch("com.android.contacts")
            #expect(await rig.device.foreground.package == "com.android.contacts")
            try await rig.phone.key(.home)
            #expect(await rig.device.foreground.package == "com.android.launcher3")
            try await rig.phone.launch("Contacts")
            try await rig.phone.key(named: "back")
            #expect(await rig.device.foreground.package == "com.android.launcher3")
            await #expect(throws: PhoneError.self) { try await rig.phone.key(named: "KEYCODE_FROBNICATE") }
        }
    }

    /// Opens the new-contact form and focuses its Name field.
    func focusNameField(_ rig: PhoneRig) async throws {
        try await rig.phone.start(Intent(action: "android.intent.action.INSERT", mimeType: "vnd.android.cursor.dir/contact"))
        let ui = try await rig.phone.uiHierarchy()
        let name = try #require(ui.find("Name"))
        try await rig.phone.tap(x: name.bounds.center.x, y: name.bounds.center.y)
    }

    @Test(arguments: ["李雷和韩梅梅 🎉👍🏽 café", "Zoë says \"hi\" & 'bye' $HOME; `ls` | %s 100%", "多行\n第二行"])
    func unicodeTextGoesThroughADBKeyboardAndTheIMEComesBack(text: String) async throws {
        try await withPhoneRig { rig in
            try await focusNameField(rig)
            // The user's keyboard is Latin, and ADB Keyboard is not even enabled.
            try await rig.phone.shell("ime disable \(Phone.adbKeyboardIME)")
            let imes = "settings get secure default_input_method; ime list -s"
            let before = try await rig.phone.shell(imes).stdoutText
            #expect(!before.contains("adbkeyboard"))
            let method = try await rig.phone.type(text)
            #expect(method == .adbKeyboard)
            #expect(await rig.device.formValue("name") == text)
            let after = try await rig.phone.shell(imes).stdoutText
            #expect(after == before, "IMEs not restored: \(after)")
        }
    }

    @Test func twentyCharacterUnicodeStringTypedTwiceAppends() async throws {
        try await withPhoneRig { rig in
            try await focusNameField(rig)
            let text = "你好世界🙂Tether测试ünïcödé!"
            try await rig.phone.type(text)
            try await rig.phone.type("✓")
            #expect(await rig.device.formValue("name") == text + "✓")
        }
    }

    @Test func theUsersIMEComesBackWhenTypingFails() async throws {
        try await withPhoneRig(configuration: .oneStreamPerCommand) { rig in
            try await focusNameField(rig)
            rig.rules.add("am broadcast -a ADB_INPUT_B64") { _, io in
                try? await io.err("Exception occurred while executing 'broadcast'\n")
                return 255
            }
            await #expect(throws: PhoneError.self) { try await rig.phone.type("héllo") }
            let ime = try await rig.phone.shell("settings get secure default_input_method").stdoutText
            #expect(ime.contains("com.android.inputmethod.latin"), "\(ime)")
            #expect(await rig.device.formValue("name") ?? "" == "")
        }
    }

    @Test func theUsersIMEComesBackWhenTypingIsCancelled() async throws {
        var configuration = Phone.Configuration()
        configuration.imeAttachTimeout = .seconds(10)
        try await withPhoneRig(configuration: configuration) { rig in
            // A slow IME: typing waits for it, and is cancelled meanwhile.
            await rig.device.setIMEAttachDelay(5)
            try await focusNameField(rig)
            let typing = Task { try await rig.phone.type("取消") }
            try await Task.sleep(for: .milliseconds(400))
            typing.cancel()
            await #expect(throws: (any Error).self) { try await typing.value }
            let restored = await eventually {
                let ime = try? await rig.phone.shell("settings get secure default_input_method").stdoutText
                return ime?.contains("com.android.inputmethod.latin") ?? false
            }
            #expect(restored)
        }
    }

    /// A slow phone: ADB Keyboard starts listening 0.8 s after it is selected, and broadcasts
    /// before that are lost (as on a phone). Typing waits for its receiver instead of a fixed
    /// delay, so the text arrives.
    @Test func typingWaitsUntilADBKeyboardListens() async throws {
        try await withPhoneRig { rig in
            await rig.device.setIMEAttachDelay(0.8)
            try await focusNameField(rig)
            // The hazard is real: a broadcast right after selecting the IME reaches no one.
            try await rig.phone.shell("ime set com.android.adbkeyboard/.AdbIME; am broadcast -a ADB_INPUT_B64 --es msg \(Data("lost".utf8).base64EncodedString()); ime set com.android.inputmethod.latin/.LatinIME")
            #expect(await rig.device.formValue("name") ?? "" == "")

            let started = ContinuousClock.now
            #expect(try await rig.phone.type("慢慢来 slow") == .adbKeyboard)
            #expect(ContinuousClock.now - started >= .milliseconds(700), "it waited for the IME")
            #expect(await rig.device.formValue("name") == "慢慢来 slow")
        }
    }

    /// Once this phone has shown ADB Keyboard listening, an IME that never starts listening means
    /// no field has focus: a clear error, and the user's IME comes back.
    @Test func typingWithNoFocusedFieldIsAClearError() async throws {
        var configuration = Phone.Configuration()
        configuration.imeAttachTimeout = .milliseconds(600)
        try await withPhoneRig(configuration: configuration) { rig in
            try await focusNameField(rig)
            try await rig.phone.type("first")
            try await rig.phone.key(named: "HOME")  // no form, no field
            await #expect(throws: PhoneError.noFocusedTextField) { try await rig.phone.type("second") }
            let ime = try await rig.phone.shell("settings get secure default_input_method").stdoutText
            #expect(ime.contains("com.android.inputmethod.latin"))
        }
    }

    /// A phone whose `dumpsys activity broadcasts` never lists ADB Keyboard's receiver (another
    /// format): the first typing polls until the timeout and types anyway; after that the fixed
    /// `imeSwitchDelay` is used and the dump is not asked again.
    @Test func aPhoneThatDoesNotShowReceiversGetsTheFixedDelay() async throws {
        var configuration = Phone.Configuration.oneStreamPerCommand
        configuration.imeAttachTimeout = .milliseconds(300)
        try await withPhoneRig(configuration: configuration) { rig in
            let asked = Counter()
            rig.rules.add("dumpsys activity broadcasts") { _, io in
                _ = await asked.next()
                try? await io.out("0\n")
                return 1
            }
            try await focusNameField(rig)
            #expect(try await rig.phone.type("一") == .adbKeyboard)
            let polls = await asked.value
            #expect(polls >= 1, "polled until the timeout")
            #expect(try await rig.phone.type("二") == .adbKeyboard)
            #expect(await asked.value == polls, "not asked again")
            #expect(await rig.device.formValue("name") == "一二", "both arrived")
        }
    }

    @Test func asciiFallsBackToEscapedInputTextWithoutADBKeyboard() async throws {
        try await withPhoneRig(adjust: { catalog in
            catalog.profiles["small-phone"]?.systemPackages?.removeAll { $0 == "com.android.adbkeyboard" }
        }) { rig in
            try await focusNameField(rig)
            let text = "Zoe O'Brien \"Z\" & co; 100%s $PATH"
            #expect(try await rig.phone.type(text) == .inputText)
            #expect(await rig.device.formValue("name") == text)
            await #expect(throws: PhoneError.textNeedsADBKeyboard("名字")) { try await rig.phone.type("名字") }
        }
    }

    @Test func appsLaunchByLabelOrPackageAndForceStop() async throws {
        try await withPhoneRig { rig in
            let apps = try await rig.phone.apps()
            let settings = try #require(apps.first { $0.package == "com.android.settings" })
            #expect(settings.launcherActivity == "com.android.settings/.Settings")
            #expect(settings.label == "Settings")
            #expect(apps.first { $0.package == "com.android.systemui" }?.launcherActivity == nil)

            #expect(try await rig.phone.launch("Messages") == "com.android.messaging")
            #expect(await rig.device.foreground.package == "com.android.messaging")
            #expect(try await rig.phone.foregroundApp()?.package == "com.android.messaging")
            #expect(try await rig.phone.launch("com.tether.notes") == "com.tether.notes")
            #expect(await rig.device.foreground.package == "com.tether.notes")
            try await rig.phone.forceStop("com.tether.notes")
            #expect(await rig.device.foreground.package != "com.tether.notes")
            #expect(try await rig.phone.launch("calendar") == "com.android.calendar")

            // A near miss is suggested, not launched.
            await #expect(throws: PhoneError.appNotFound("Mesages", suggestions: ["Messages"])) { try await rig.phone.launch("Mesages") }
            do {
                try await rig.phone.launch("Note")
            } catch let error as PhoneError {
                Issue.record("a unique partial label should resolve: \(error)")
            }
        }
    }

    @Test func openURIAndIntents() async throws {
        try await withPhoneRig { rig in
            try await rig.phone.open(uri: "https://example.com/")
            #expect(await rig.device.foreground.package == "com.android.browser")
            await #expect(throws: PhoneError.self) {
                try await rig.phone.start(Intent(component: "com.android.settings/.NoSuchActivity"))
            }
        }
    }

    @Test func uiHierarchyIsATreeWithBoundsAndFlags() async throws {
        try await withPhoneRig { rig in
            try await rig.phone.launch("Settings")
            let ui = try await rig.phone.uiHierarchy()
            #expect(ui.rotation == 0)
            let all = ui.allNodes
            #expect(all.count > 5)
            #expect(all.allSatisfy { $0.bounds.left >= 0 && $0.bounds.right <= 720 && $0.bounds.top >= 0 && $0.bounds.bottom <= 1600 })
            #expect(all.contains { $0.clickable })
            #expect(all.contains { $0.package == "com.android.settings" })
            let xml = await rig.device.uiHierarchyXML()
            #expect(ui == (try UIHierarchy(xml: xml)))
        }
    }

    @Test func uiDumpIsRetriedWhileThePhoneIsNotIdle() async throws {
        try await withPhoneRig(configuration: .oneStreamPerCommand) { rig in
            let failures = Counter()
            rig.rules.add("rm -f /data/local/tmp/tether-ui.xml") { _, io in
                guard await failures.next() <= 2 else { return nil }
                try? await io.err("ERROR: could not get idle state.\n")
                return 1
            }
            let ui = try await rig.phone.uiHierarchy()
            #expect(ui.find("Settings") != nil)
            #expect(await failures.value == 3)
        }
    }

    @Test func waitUntilSettledReturnsTheSettledFrame() async throws {
        try await withPhoneRig { rig in
            try await rig.phone.launch("Contacts")
            let result = try await rig.phone.waitUntilSettled(timeout: .seconds(3))
            #expect(result.settled)
            #expect(result.image == (await rig.device.screenshot()))
        }
    }
}

actor Counter {
    var value = 0
    func next() -> Int {
        value += 1
        return value
    }
}


actor CommandLog {
    var lines: [String] = []
    func add(_ line: String) { lines.append(line) }
}
