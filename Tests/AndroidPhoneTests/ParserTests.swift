@testable import AndroidPhone
import Foundation
import TetherTestSupport
import Testing
import Basics

/// The parsers for what phones print, on text in the formats real Android versions use.
@Suite struct ParserTests {
    @Test func displayInfo() {
        let plain = DisplayInfo.parse("Physical size: 1080x2400\nPhysical density: 420\n    SurfaceOrientation: 0\n")
        #expect(plain == DisplayInfo(naturalWidth: 1080, naturalHeight: 2400, density: 420, rotation: 0))
        let overridden = DisplayInfo.parse(
            """
            Physical size: 1440x3120
            Override size: 1080x2340
            Physical density: 560
            Override density: 420
              Viewport INTERNAL: displayId=0, uniqueId=local:0, orientation=1, logicalFrame=[0, 0, 2340, 1080]
                SurfaceOrientation: 1
            """)
        #expect(overridden == DisplayInfo(naturalWidth: 1080, naturalHeight: 2340, density: 420, rotation: 1))
        #expect(overridden?.width == 2340 && overridden?.height == 1080)
        // No SurfaceOrientation line: the viewport's orientation.
        #expect(DisplayInfo.parse("Physical size: 720x1280\nPhysical density: 320\nDisplayViewport{type=INTERNAL, valid=true, orientation=3, deviceWidth=720}")?.rotation == 3)
        #expect(DisplayInfo.parse("cmd: Can't find service: window") == nil)
    }

    @Test func rawScreencapSizeFromItsHeader() {
        func header(_ words: [UInt32]) -> [UInt8] { words.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } } }
        #expect(Phone.rawScreencapSize(header([1080, 2400, 1, 1]) + [0, 0]) == 16 + 1080 * 2400 * 4)
        #expect(Phone.rawScreencapSize(header([720, 1280, 4, 0])) == 16 + 720 * 1280 * 2)
        #expect(Phone.rawScreencapSize(header([720, 1280, 3, 0])) == 16 + 720 * 1280 * 3)
        // Not a raw frame: a PNG signature, an HDR format, absurd sizes, too few bytes.
        #expect(Phone.rawScreencapSize([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 0, count: 8)) == nil)
        #expect(Phone.rawScreencapSize(header([1080, 2400, 0x16, 1])) == nil)
        #expect(Phone.rawScreencapSize(header([0, 2400, 1, 1])) == nil)
        #expect(Phone.rawScreencapSize(header([1080, 2400, 1])) == nil)
    }

    @Test func commandBatchesFitTheLimitAndKeepTheOrder() {
        var rng = SplitMix64(seed: 11)
        for _ in 0..<200 {
            let items = (0..<Int.random(in: 0...60, using: &rng)).map { i in
                "cmd \(i) " + String(repeating: "x", count: Int.random(in: 0...400, using: &rng))
            }
            let limit = Int.random(in: 50...1200, using: &rng)
            let groups = Phone.batches(items, separatorBytes: 5, limit: limit)
            #expect(groups.flatMap { $0 } == items)
            #expect(!groups.contains { $0.isEmpty })
            for group in groups where group.count > 1 {
                #expect(group.map(\.utf8.count).reduce(0, +) + 5 * (group.count - 1) <= limit)
            }
        }
    }

    @Test func foregroundApp() {
        let window = """
              mCurrentFocus=Window{8f4e2a1 u0 com.android.settings/com.android.settings.Settings}
              mFocusedApp=ActivityRecord{c0ffee1 u0 com.android.settings/.Settings t42}
            """
        #expect(ForegroundApp.parse(window) == ForegroundApp(package: "com.android.settings", activity: "com.android.settings/.Settings"))
        let shade = """
              mCurrentFocus=Window{1d2c3b u0 NotificationShade}
              mFocusedApp=ActivityRecord{abc123 u0 com.google.android.apps.nexuslauncher/.NexusLauncherActivity t3}
            """
        #expect(
            ForegroundApp.parse(shade)
                == ForegroundApp(
                    package: "com.google.android.apps.nexuslauncher",
                    activity: "com.google.android.apps.nexuslauncher/.NexusLauncherActivity",
                    window: "NotificationShade"))
        let activities = "    mResumedActivity: ActivityRecord{5a1b2c3 u0 com.tencent.mm/.ui.LauncherUI t118}\n"
        #expect(ForegroundApp.parse(activities)?.activity == "com.tencent.mm/.ui.LauncherUI")
        #expect(ForegroundApp.parse("  mCurrentFocus=null\n  mFocusedApp=null\n") == nil)
    }

    @Test func keyCodes() {
        #expect(KeyCode(name: "HOME") == .home)
        #expect(KeyCode(name: "KEYCODE_BACK") == .back)
        #expect(KeyCode(name: "enter") == .enter)
        #expect(KeyCode(name: "backspace") == .delete)
        #expect(KeyCode(name: "volume-up")?.code == 24)
        #expect(KeyCode(name: "66") == .enter)
        #expect(KeyCode(name: "a")?.code == 29 && KeyCode(name: "KEYCODE_7")?.code == 14)
        #expect(KeyCode(name: "frobnicate") == nil && KeyCode(name: "-1") == nil)
        #expect(KeyCode.enter.name == "KEYCODE_ENTER" && KeyCode(33).name == "KEYCODE_E")
    }

    @Test func uiHierarchyXML() throws {
        let xml = """
            <?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation="1"><node index="0" text="" resource-id="" \
            class="android.widget.FrameLayout" package="com.example" content-desc="" checkable="false" checked="false" clickable="false" \
            enabled="true" focusable="false" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" \
            bounds="[0,0][2400,1080]"><node index="0" text="Tom &amp; Jerry &lt;3 &quot;hi&quot; &#x1F600; &#20013;" \
            resource-id="com.example:id/title" class="android.widget.TextView" package="com.example" content-desc="标题" \
            checkable="true" checked="true" clickable="true" enabled="false" focusable="true" focused="true" scrollable="true" \
            long-clickable="true" password="true" selected="true" bounds="[10,-5][200,80]" NAF="true" /><node index="1" text="second" \
            resource-id="" class="android.widget.Button" package="com.example" content-desc="" bounds="[0,100][50,150]"></node></node>\
            </hierarchy>UI hierchary dumped to: /dev/tty
            """
        let ui = try UIHierarchy(xml: xml)
        #expect(ui.rotation == 1 && ui.nodes.count == 1 && ui.allNodes.count == 3)
        let title = try #require(ui.find("title"))
        #expect(title.text == "Tom & Jerry <3 \"hi\" 😀 中")
        #expect(title.contentDescription == "标题" && title.className == "android.widget.TextView")
        #expect(title.bounds == Bounds(left: 10, top: -5, right: 200, bottom: 80))
        #expect(title.checkable && title.checked && title.clickable && !title.enabled && title.focusable && title.focused)
        #expect(title.scrollable && title.longClickable && title.password && title.selected)
        let second = try #require(ui.find("second"))
        #expect(second.bounds.center.x == 25 && second.bounds.center.y == 125)
        #expect(ui.find("标题")?.resourceId == "com.example:id/title")
        // JSON keeps the tree.
        let json = try JSONEncoder().encode(ui)
        #expect(try JSONDecoder().decode(UIHierarchy.self, from: json) == ui)
    }

    @Test(arguments: [
        "<?xml version='1.0' ?><hierarchy rotation=\"0\"><node index=\"0\" text=\"cut",
        "<?xml version='1.0' ?><hierarchy rotation=\"0\"><node index=\"0\">",
        "ERROR: could not get idle state.",
        "<hierarchy><node text=unquoted /></hierarchy>",
        "<hierarchy></node></hierarchy>"
    ])
    func brokenDumpsAreErrors(xml: String) {
        #expect(throws: PhoneError.self) { try UIHierarchy(xml: xml) }
    }

    /// Random bytes never crash the XML reader.
    @Test func garbageNeverCrashes() {
        var rng = SplitMix64(seed: 7)
        let pieces = ["<", ">", "/", "=", "\"", "'", "node", "hierarchy", " ", "&amp;", "&#x", ";", "<?", "?>", "<!--", "-->", "a", "\n"]
        for _ in 0..<2000 {
            let text = (0..<Int.random(in: 0...40, using: &rng)).map { _ in pieces.randomElement(using: &rng) ?? "" }.joined()
            _ = try? UIHierarchy(xml: text)
        }
    }
}
