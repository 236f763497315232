import Foundation
import TetherTestSupport
import Testing
@testable import VirtualPhone

@Suite struct ShellTests {
    @Test func answersInTheFormatsClientsParse() async throws {
        let phone = try makePhone()
        defer { phone.removeFiles() }
        var r = await sh(phone, "cmd package resolve-activity --brief -c android.intent.category.LAUNCHER com.android.settings")
        #expect(r.out.split(separator: "\n").last == "com.android.settings/.Settings")
        r = await sh(phone, "monkey -p com.android.contacts -c android.intent.category.LAUNCHER 1")
        #expect(r.out.contains("Events injected: 1"))
        r = await sh(phone, "dumpsys window | grep -E 'mCurrentFocus|mFocusedApp'")
        #expect(r.out.contains("mCurrentFocus=Window{") && r.out.contains(" u0 com.android.contacts/com.android.contacts.activities.PeopleActivity}"))
        r = await sh(phone, "dumpsys activity activities | grep topResumedActivity")
        #expect(r.out.contains("topResumedActivity=ActivityRecord{") && r.out.contains(" u0 com.android.contacts/.activities.PeopleActivity t"))
        r = await sh(phone, "monkey -p com.nope -c android.intent.category.LAUNCHER 1")
        #expect(r.out.contains("** No activities found to run, monkey aborted."))
        r = await sh(phone, "am start -a android.intent.action.VIEW -d geo:0,0")
        #expect(r.status != 0 && r.err.contains("unable to resolve Intent"))
        r = await sh(phone, "am start -n com.android.settings/.Nope")
        #expect(r.err.contains("Error: Activity class {com.android.settings/com.android.settings.Nope} does not exist."))
        r = await sh(phone, "content query --uri content://com.android.contacts/data/phones --projection display_name:number --where \"display_name='Bob Martin'\"")
        #expect(r.out == "Row: 0 display_name=Bob Martin, number=+15550102\n")
        r = await sh(phone, "content query --uri content://sms/inbox --where \"address='+15550177'\"")
        #expect(r.out.contains("body=Your verification code is 482913"))
        r = await sh(phone, "ime list -s")
        #expect(r.out == "com.android.inputmethod.latin/.LatinIME\ncom.android.adbkeyboard/.AdbIME\n")
        r = await sh(phone, "ime set com.android.adbkeyboard/.AdbIME && settings get secure default_input_method")
        #expect(r.out == "Input method com.android.adbkeyboard/.AdbIME selected for user #0\ncom.android.adbkeyboard/.AdbIME\n")
        r = await sh(phone, "settings put global wifi_on 0; settings get global wifi_on; cat /data/data/com.android.settings/state.json | grep '\"wifi\"'")
        #expect(r.out == "0\n  \"wifi\" : false,\n")
        r = await sh(phone, "getprop ro.product.model; getprop ro.build.version.sdk")
        #expect(r.out == "Virtual Small\n30\n")
        r = await sh(phone, "pm list packages | grep -c package:")
        #expect(r.out == "15\n")
        r = await sh(phone, "input bogus")
        #expect(r.status == 1 && r.err.contains("Usage: input"))
        r = await sh(phone, "screencap | wc -c")
        #expect(r.out.hasPrefix("\(16 + 720 * 1600 * 4)"))
        r = await sh(phone, "uiautomator dump && cat /sdcard/window_dump.xml | head -c 5")
        #expect(r.out.hasPrefix("UI hierchary dumped to: /sdcard/window_dump.xml\n"))
        // Redirections: `>` replaces, `>>` appends (creating the file), an unwritable target fails.
        r = await sh(phone, "echo a > /sdcard/r.txt; echo b >> /sdcard/r.txt; echo c >> /sdcard/new.txt; cat /sdcard/r.txt /sdcard/new.txt")
        #expect(r.out == "a\nb\nc\n")
        r = await sh(phone, "echo x >> /sdcard/no/such/dir/f.txt")
        #expect(r.status == 1 && r.err.contains("can't create /sdcard/no/such/dir/f.txt"), "\(r)")
    }

    @Test func listsScrollAndTheShadeOpens() async throws {
        let phone = try makePhone()
        defer { phone.removeFiles() }
        _ = await sh(phone, "monkey -p com.android.contacts -c android.intent.category.LAUNCHER 1")
        let before = await phone.uiHierarchyXML()
        #expect(before.contains("scrollable=\"true\""))
        let last = try #require(await phone.state(of: "com.android.contacts")?["contacts"]?.array?.compactMap { $0["name"]?.text }.sorted().last)
        #expect(!before.contains("text=\"\(last)\""))
        for _ in 0..<6 { _ = await sh(phone, "input swipe 360 1300 360 300 300") }
        let after = await phone.uiHierarchyXML()
        #expect(after.contains("text=\"\(last)\""))
        _ = await sh(phone, "input swipe 360 5 360 900 200")
        let shade = await sh(phone, "dumpsys window | grep mCurrentFocus")
        #expect(shade.out.contains("NotificationShade"))
        let wifi = try #require(center(of: "Wi-Fi", in: await phone.uiHierarchyXML()))
        _ = await sh(phone, "input tap \(wifi.x) \(wifi.y)")
        #expect(await sh(phone, "settings get global wifi_on").out == "0\n")
        _ = await sh(phone, "input keyevent BACK")
        #expect(await phone.foreground.package == "com.android.contacts")
    }

    @Test func longPressAndTypingOnTheKeyboard() async throws {
        let phone = try makePhone()
        defer { phone.removeFiles() }
        _ = await sh(phone, "am start -n com.tether.notes/.NotesActivity")
        let groceries = try #require(center(of: "Groceries", in: await phone.uiHierarchyXML()))
        _ = await sh(phone, "input motionevent DOWN \(groceries.x) \(groceries.y)")
        try await Task.sleep(for: .milliseconds(600))
        _ = await sh(phone, "input motionevent UP \(groceries.x) \(groceries.y)")
        #expect(await phone.lastRecognizedGesture == "longpress")
        #expect(!(await phone.state(of: "com.tether.notes")?.description.contains("Groceries") ?? true))
        let search = try #require(center(of: "Search notes", in: await phone.uiHierarchyXML()))
        await phone.humanTap(x: search.x, y: search.y)
        // Tap the on-screen keyboard's keys as a person would: find "h" and "i" rows by layout.
        let frame = await phone.layout()
        for key in ["h", "i"] {
            let rect = try #require(frame.keys.first { $0.1 == key }?.0)
            await phone.humanTap(x: rect.midX, y: rect.midY)
        }
        #expect(await phone.focusedText == "hi")
    }
}
