import Foundation
import Imaging
@testable import Agent

/// A phone for loop tests: a 1080×2400 screen whose picture follows its state (foreground app
/// and a counter that every effective action bumps), a log of every command, and a shell that
/// answers the intents and the contacts query the way Android does.
actor FakePhone: PhoneControl {
    static let apps = [
        AppLabel(package: "com.android.launcher3", label: "Launcher"),
        AppLabel(package: "com.android.contacts", label: "Contacts"),
        AppLabel(package: "com.android.messaging", label: "Messages"),
        AppLabel(package: "com.android.settings", label: "Settings"),
        AppLabel(package: "com.tencent.mm", label: "微信")
    ]

    var foreground = "com.android.launcher3"
    var version = 0
    /// When true, nothing the agent does changes the screen.
    var frozen = false
    var log: [String] = []
    /// Text in the focused field.
    var field = ""
    /// Whether a text field has focus (typing is refused, as a real phone's adapter refuses it, when none has).
    var fieldFocused: Bool

    init(frozen: Bool = false, fieldFocused: Bool = true) {
        self.frozen = frozen
        self.fieldFocused = fieldFocused
    }

    func changed() { if !frozen { version += 1 } }

    func observe() async throws -> Observation {
        let palette: [String: Color] = [
            "com.android.launcher3": .white, "com.android.contacts": .blue,
            "com.android.messaging": .green, "com.android.settings": .yellow
        ]
        var img = try Image(width: 1080, height: 2400, fill: palette[foreground] ?? .black)
        // The state counter as a band of dark rows below the status bar, big enough for the
        // coarse fingerprint to see.
        let band = 200 + (version % 10) * 200
        for y in band..<(band + 150) { for x in 0..<1080 { _ = img.setPixel(x: x, y: y, to: .black) } }
        let label = Self.apps.first { $0.package == foreground }?.label ?? foreground
        return Observation(image: img, currentApp: label)
    }

    func installedApps() async throws -> [AppLabel] { Self.apps }

    func tap(x: Int, y: Int) async throws { log.append("tap \(x) \(y)"); changed() }
    func doubleTap(x: Int, y: Int) async throws { log.append("doubletap \(x) \(y)"); changed() }
    func longPress(x: Int, y: Int, milliseconds: Int) async throws { log.append("longpress \(x) \(y) \(milliseconds)"); changed() }
    func swipe(fromX: Int, fromY: Int, toX: Int, toY: Int, milliseconds: Int) async throws {
        log.append("swipe \(fromX) \(fromY) \(toX) \(toY) \(milliseconds)"); changed()
    }
    func replaceText(_ text: String) async throws {
        guard fieldFocused else { throw ActionRefused("no text field has focus") }
        field = text; log.append("text \(text)"); changed()
    }
    func tapField() { fieldFocused = true }
    func back() async throws { log.append("back"); changed() }
    func home() async throws { log.append("home"); foreground = "com.android.launcher3"; changed() }
    func launch(package: String) async throws { log.append("launch \(package)"); foreground = package; changed() }

    func shell(_ command: String) async throws -> String {
        log.append("shell \(command)")
        if command.hasPrefix("content query --uri content://com.android.contacts/data/phones") {
            return command.contains("Alice") ? "Row: 0 display_name=Alice Chen, data1=+1 555 0100\n" : "No result found.\n"
        }
        if command.hasPrefix("am start -a android.intent.action.SENDTO") {
            foreground = "com.android.messaging"
            changed()
            return "Starting: Intent { act=android.intent.action.SENDTO dat=sms:xxxxxxx }\n"
        }
        if command.hasPrefix("am start") {
            return "Starting: Intent { }\nError: Activity not started, unable to resolve Intent\n"
        }
        return ""
    }
}
