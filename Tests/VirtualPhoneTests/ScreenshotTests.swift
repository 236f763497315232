import Foundation
import TetherTestSupport
import Imaging
import Testing
@testable import VirtualPhone

/// Renders the launcher and one screen of each app. With TETHER_WRITE_DOCS=1 the PNGs go to
/// docs/vphone/ (the pictures in the README); otherwise to a temporary directory.
@Suite struct ScreenshotTests {
    static let shots: [(name: String, setup: String)] = [
        ("launcher", "input keyevent HOME"),
        ("drawer", "input keyevent HOME; input swipe 360 1200 360 300 200"),
        ("settings", "am start -n com.android.settings/.Settings"),
        ("settings-display", "am start -a android.settings.DISPLAY_SETTINGS"),
        ("contacts", "monkey -p com.android.contacts -c android.intent.category.LAUNCHER 1"),
        ("contact-detail", "am start -n com.android.contacts/.activities.PeopleActivity|tap:Alice Chen"),
        ("messages", "monkey -p com.android.messaging -c android.intent.category.LAUNCHER 1"),
        ("compose", "am start -a android.intent.action.SENDTO -d sms:+15550102 --es sms_body 'Alice: +1 555 0101'|tap:compose_message_text"),
        ("notes", "monkey -p com.tether.notes -c android.intent.category.LAUNCHER 1"),
        ("clock", "monkey -p com.android.deskclock -c android.intent.category.LAUNCHER 1"),
        ("calendar", "monkey -p com.android.calendar -c android.intent.category.LAUNCHER 1"),
        ("shop", "monkey -p com.tether.shop -c android.intent.category.LAUNCHER 1"),
        ("shop-product", "am start -a android.intent.action.VIEW -d 'https://shop.example.com/search?q=earbuds'|tap:Wireless Earbuds Pro"),
        ("browser", "am start -a android.intent.action.VIEW -d https://news.example.com/"),
        ("adb-keyboard", "ime set com.android.adbkeyboard/.AdbIME; am start -a android.intent.action.INSERT -t vnd.android.cursor.dir/contact|tap:Name|am broadcast -a ADB_INPUT_B64 --es msg 5p2O5piO"),
        ("shade", "input swipe 360 10 360 900 200"),
        ("thread", "monkey -p com.android.messaging -c android.intent.category.LAUNCHER 1|tap:Alice Chen"),
        ("dark-settings", "settings put secure ui_night_mode 2; am start -n com.android.settings/.Settings"),
    ]

    @Test func rendersEveryAppLegibly() async throws {
        let write = ProcessInfo.processInfo.environment["TETHER_WRITE_DOCS"] == "1"
        let out = write ? devicesDirectory.deletingLastPathComponent().appendingPathComponent("docs/vphone")
            : FileManager.default.temporaryDirectory.appendingPathComponent("vphone-shots-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        for (name, setup) in Self.shots {
            let phone = try makePhone()
            try await perform(setup.components(separatedBy: "|"), on: phone)
            let image = await phone.screenshot()
            #expect(image.width == 720 && image.height == 1600)
            // Not blank: many distinct colours from text antialiasing.
            var colours = Set<UInt32>()
            for y in stride(from: 0, to: image.height, by: 7) {
                for x in stride(from: 0, to: image.width, by: 3) {
                    if let c = image.pixel(x: x, y: y) { colours.insert(UInt32(c.r) << 16 | UInt32(c.g) << 8 | UInt32(c.b)) }
                }
            }
            #expect(colours.count > 20, "\(name) looks blank")
            try Data(try image.pngData()).write(to: out.appendingPathComponent("\(name).png"))
            await phone.removeFiles()
        }
        if !write { try? FileManager.default.removeItem(at: out) }
    }
}
