import Foundation
import TetherTestSupport
import Imaging
import PhoneRig
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
        ("dark-settings", "settings put secure ui_night_mode 2; am start -n com.android.settings/.Settings")
    ]

    @Test func rendersEveryAppLegibly() async throws {
        let write = ProcessInfo.processInfo.environment["TETHER_WRITE_DOCS"] == "1"
        let out =
            write
            ? devicesDirectory.deletingLastPathComponent().appendingPathComponent("docs/vphone")
            : FileManager.default.temporaryDirectory.appendingPathComponent("vphone-shots-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        var digests: [UInt64: String] = [:]
        for (name, setup) in Self.shots {
            let phone = try makePhone()
            try await perform(setup.components(separatedBy: "|"), on: phone)
            let image = await phone.screenshot()
            #expect(image.width == 720 && image.height == 1600)
            // Every text the UI tree says is on screen is drawn inside its box: the box holds ink
            // (pixels far from its background), not a flat fill. A renderer that skipped text, or drew
            // it elsewhere, fails here, whatever else the frame holds.
            let xml = await phone.uiHierarchyXML()
            var checked = 0
            for node in xml.components(separatedBy: "<node ").dropFirst() {
                guard let text = attribute("text", node), !text.trimmingCharacters(in: .whitespaces).isEmpty,
                    let bounds = attribute("bounds", node)
                else { continue }
                let n = bounds.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
                // Boxes cut to a sliver by the edge of a list are left out: no whole line of text fits.
                guard n.count == 4, n[2] > n[0] + 4, n[3] >= n[1] + 20, n[1] >= 0, n[3] <= image.height else { continue }
                #expect(Self.hasInk(image, x0: n[0], y0: n[1], x1: n[2], y1: n[3]), "\(name): \"\(text)\" at \(bounds) is not drawn")
                checked += 1
            }
            #expect(checked >= 3, "\(name): only \(checked) text nodes on screen")
            let digest = image.packedBytes.reduce(into: UInt64(14_695_981_039_346_656_037)) { $0 = ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
            #expect(digests.updateValue(name, forKey: digest) == nil, "\(name) is the same frame as \(digests[digest] ?? "?")")
            try Data(try image.pngData()).write(to: out.appendingPathComponent("\(name).png"))
            await phone.removeFiles()
        }
        if !write { try? FileManager.default.removeItem(at: out) }
    }

    /// Whether the box holds pixels that differ clearly from its most common colour (glyphs).
    static func hasInk(_ image: Image, x0: Int, y0: Int, x1: Int, y1: Int) -> Bool {
        var counts: [UInt32: Int] = [:]
        var pixels: [UInt32] = []
        for y in stride(from: max(y0, 0), to: min(y1, image.height), by: 2) {
            for x in stride(from: max(x0, 0), to: min(x1, image.width), by: 2) {
                guard let c = image.pixel(x: x, y: y) else { continue }
                let v = UInt32(c.r) << 16 | UInt32(c.g) << 8 | UInt32(c.b)
                counts[v, default: 0] += 1
                pixels.append(v)
            }
        }
        guard let background = counts.max(by: { $0.value < $1.value })?.key else { return false }
        func channels(_ v: UInt32) -> [Int] { [Int(v >> 16 & 0xFF), Int(v >> 8 & 0xFF), Int(v & 0xFF)] }
        let bg = channels(background)
        let ink = pixels.filter { p in zip(channels(p), bg).map { abs($0 - $1) }.max() ?? 0 > 60 }.count
        return ink >= 3
    }
}
