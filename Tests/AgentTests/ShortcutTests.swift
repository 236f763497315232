import Trajectory
import Foundation
import Testing
@testable import Agent

enum Paths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let shortcuts = root.appendingPathComponent("Devices/shortcuts").path
}

@Suite struct ShippedShortcutTests {
    let library: ShortcutLibrary
    let utc = TimeZone(identifier: "UTC") ?? .current

    init() throws {
        library = try ShortcutLibrary.load(directory: Paths.shortcuts)
    }

    func command(_ name: String, _ args: [String: String]) throws(ShortcutError) -> String {
        guard let s = library.shortcut(named: name) else { throw ShortcutError("no shortcut \(name)") }
        return try s.invocation(arguments: args, timeZone: utc).command
    }

    @Test func theShippedSetIsComplete() {
        let names = Set(library.shortcuts.map(\.name))
        for n in [
            "dial", "sms_compose", "open_url", "set_alarm", "add_calendar_event", "wifi_settings",
            "share_text", "add_contact", "find_contact"
        ] {
            #expect(names.contains(n), "missing \(n)")
        }
        for s in library.shortcuts {
            #expect(!s.summary(in: .chinese).isEmpty && !s.summary(in: .english).isEmpty)
        }
    }

    @Test func dial() throws {
        #expect(
            try command("dial", ["number": "+1 (555) 010-0199"])
                == "am start -a android.intent.action.DIAL -d tel:+15550100199")
        #expect(try command("dial", ["number": "*#06#"]) == "am start -a android.intent.action.DIAL -d tel:%2A%2306%23")
    }

    @Test func smsCompose() throws {
        #expect(
            try command("sms_compose", ["number": "5550100", "body": "Alice's number is +1 555 0123"])
                == #"am start -a android.intent.action.SENDTO -d sms:5550100 --es sms_body 'Alice'\''s number is +1 555 0123'"#)
        // The body is optional: without it, no extra.
        #expect(try command("sms_compose", ["number": "5550100"]) == "am start -a android.intent.action.SENDTO -d sms:5550100")
    }

    @Test func openURL() throws {
        #expect(
            try command("open_url", ["url": "https://example.com/search?q=a&b=c"])
                == "am start -a android.intent.action.VIEW -d 'https://example.com/search?q=a&b=c'")
        #expect(throws: ShortcutError.self) { try command("open_url", ["url": "not a url"]) }
    }

    @Test func setAlarm() throws {
        #expect(
            try command("set_alarm", ["hour": "7", "minutes": "05", "label": "起床"])
                == "am start -a android.intent.action.SET_ALARM --ei android.intent.extra.alarm.HOUR 7 --ei android.intent.extra.alarm.MINUTES 5 --es android.intent.extra.alarm.MESSAGE '起床' --ez android.intent.extra.alarm.SKIP_UI true")
        do {
            _ = try command("set_alarm", ["hour": "25", "minutes": "0"])
            Issue.record("hour 25 accepted")
        } catch {
            #expect(error.message.contains("hour") && error.message.contains("at most 23"))
        }
    }

    @Test func addCalendarEvent() throws {
        #expect(
            try command("add_calendar_event", ["title": "Dentist", "start": "2026-03-05 09:30", "end": "2026-03-05 10:00"])
                == "am start -a android.intent.action.INSERT -d content://com.android.calendar/events --es title Dentist --el beginTime 1772703000000 --el endTime 1772704800000")
        #expect(throws: ShortcutError.self) {
            try command("add_calendar_event", ["title": "x", "start": "2026-02-30 09:30", "end": "2026-03-01 10:00"])
        }
    }

    @Test func wifiSettingsAndShareAndContact() throws {
        #expect(try command("wifi_settings", [:]) == "am start -a android.settings.WIFI_SETTINGS")
        #expect(
            try command("share_text", ["text": "see you at 8"])
                == "am start -a android.intent.action.SEND -t text/plain --es android.intent.extra.TEXT 'see you at 8'")
        #expect(
            try command("add_contact", ["contact_name": "Bob Li", "phone": "555-0101"])
                == "am start -a android.intent.action.INSERT -t vnd.android.cursor.dir/contact --es name 'Bob Li' --es phone 5550101")
    }

    @Test func contentQueryQuotesForSQLAndShell() throws {
        #expect(
            try command("find_contact", ["query": "O'Neil"])
                == #"content query --uri content://com.android.contacts/data/phones --projection display_name:data1 --where 'display_name LIKE '\''%'\'' || '\''O'\'''\''Neil'\'' || '\''%'\'''"#)
    }

    @Test func hostileValuesStayOneWord() throws {
        // Each value must reach `am` as exactly one argument, whatever it holds.
        for evil in ["'; reboot; '", "$(reboot)", "`reboot`", "a\nreboot", "\\'", "x' 'y", "--es evil 1"] {
            let cmd = try command("share_text", ["text": evil])
            let words = try ShellWords.split(cmd)
            #expect(words.count == 9, "\(cmd)")
            #expect(words.last == evil, "\(cmd)")
        }
    }

    @Test func argumentErrorsNameTheProblem() {
        do {
            _ = try command("dial", ["numbr": "1"])
            Issue.record("accepted")
        } catch {
            #expect(error.message == "shortcut dial has no parameter \"numbr\"; its parameters are: number")
        }
        do {
            _ = try command("sms_compose", ["body": "hi"])
            Issue.record("accepted")
        } catch {
            #expect(error.message == "shortcut sms_compose needs number (phone)")
        }
        #expect(throws: ShortcutError.self) { try command("dial", ["number": "call me"]) }
    }

    @Test func offeredOnlyWhenTheAppIsInstalled() {
        let offered = library.offered(installedPackages: ["com.android.messaging", "com.android.settings"]).map(\.name)
        #expect(offered.contains("sms_compose"))
        #expect(offered.contains("wifi_settings"))
        #expect(offered.contains("open_url"))  // no app list: always
        #expect(!offered.contains("dial"))
        #expect(!offered.contains("set_alarm"))
    }
}

@Suite struct ShortcutLoaderTests {
    func parse(_ yaml: String) throws(ShortcutError) -> [Shortcut] {
        try ShortcutLibrary.parse(yaml: yaml, source: "test.yaml")
    }

    func message(_ yaml: String) -> String? {
        do {
            _ = try parse(yaml)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func brokenYAMLSaysWhere() {
        let m = message("format: 1\nshortcuts:\n  - name: x\n    summary: {en: [unclosed\n")
        #expect(m?.hasPrefix("test.yaml: ") == true)
        #expect(m?.contains("line") == true || m?.contains("3:") == true || m?.contains("4:") == true)
    }

    @Test func wrongFormatVersion() {
        #expect(message("format: 2\nshortcuts: []\n") == "test.yaml: format 2 is not supported; this Tether reads format 1")
    }

    @Test func missingFieldIsNamed() {
        let m = message("format: 1\nshortcuts:\n  - summary: {en: x}\n    shell: ls\n")
        #expect(m?.contains("shortcuts[0].name is missing") == true)
    }

    @Test func exactlyOneImplementation() {
        let m = message(
            """
            format: 1
            shortcuts:
              - name: two
                summary: {en: x}
                shell: ls
                deep_link: {url: "https://example.com"}
            """)
        #expect(m?.contains("exactly one of intent, deep_link, shell, content_query (found 2)") == true)
    }

    @Test func undeclaredPlaceholder() {
        let m = message(
            """
            format: 1
            shortcuts:
              - name: p
                summary: {en: x}
                intent: {action: a.b.C, data: "tel:{nmber}"}
                parameters: [{name: number, type: phone}]
            """)
        #expect(m?.contains("{nmber} is not a declared parameter") == true)
    }

    @Test func unknownParameterType() {
        let m = message(
            """
            format: 1
            shortcuts:
              - name: p
                summary: {en: x}
                shell: echo {v}
                parameters: [{name: v, type: colour}]
            """)
        #expect(m?.contains("type \"colour\"") == true)
    }

    @Test func parameterNamesOfTheCallAreReserved() {
        let m = message(
            """
            format: 1
            shortcuts:
              - name: p
                summary: {en: x}
                shell: echo {name}
                parameters: [{name: name, type: text}]
            """)
        #expect(m?.contains("parameter name \"name\" is reserved") == true)
    }

    @Test func placeholderInsideShellQuotesIsRefused() {
        let m = message(
            """
            format: 1
            shortcuts:
              - name: p
                summary: {en: x}
                shell: "echo '{v}'"
                parameters: [{name: v, type: text}]
            """)
        #expect(m?.contains("must not sit inside quotes") == true)
    }

    @Test func duplicateNamesAcrossFiles() throws {
        let a = try parse("format: 1\nshortcuts:\n  - {name: s, summary: {en: x}, shell: ls}\n")
        let b = try ShortcutLibrary.parse(yaml: "format: 1\nshortcuts:\n  - {name: s, summary: {en: y}, shell: pwd}\n", source: "b.yaml")
        do {
            _ = try ShortcutLibrary(shortcuts: a + b)
            Issue.record("accepted")
        } catch {
            #expect(error.message == "shortcut \"s\" is declared twice: in test.yaml and in b.yaml")
        }
    }

    @Test func shellTemplateQuotesEachValue() throws {
        let s = try parse(
            """
            format: 1
            shortcuts:
              - name: note
                summary: {en: x}
                shell: "echo {a} > /sdcard/{b}.txt"
                parameters: [{name: a, type: text}, {name: b, type: choice, choices: [one, two]}]
            """)
        let inv = try s[0].invocation(arguments: ["a": "it's $HOME", "b": "TWO"])
        #expect(inv.command == #"echo 'it'\''s $HOME' > /sdcard/two.txt"#)
        #expect(inv.kind == .shell)
        #expect(throws: ShortcutError.self) { try s[0].invocation(arguments: ["a": "x", "b": "three"]) }
    }
}

/// A POSIX-sh word splitter for the quoting the renderer produces (single quotes, backslash
/// outside quotes), to check how the phone's shell would see a command.
enum ShellWords {
    struct Unbalanced: Error {}

    static func split(_ s: String) throws -> [String] {
        var words: [String] = []
        var cur = ""
        var inWord = false
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if c == "'" {
                inWord = true
                guard let close = s[s.index(after: i)...].firstIndex(of: "'") else { throw Unbalanced() }
                cur += s[s.index(after: i)..<close]
                i = s.index(after: close)
                continue
            }
            if c == "\\" {
                let n = s.index(after: i)
                guard n < s.endIndex else { throw Unbalanced() }
                cur.append(s[n]); inWord = true
                i = s.index(after: n)
                continue
            }
            if c == " " || c == "\n" || c == "\t" {
                if inWord { words.append(cur); cur = ""; inWord = false }
            } else {
                cur.append(c); inWord = true
            }
            i = s.index(after: i)
        }
        if inWord { words.append(cur) }
        return words
    }
}
