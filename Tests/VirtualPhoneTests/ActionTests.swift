import Foundation
import PhoneRig
import Testing
@testable import VirtualPhone

/// The app files' actions: one verb per object, decoded into `Action` cases; anything else is
/// refused with the file and the action's place named.
@Suite struct ActionTests {
    func decode(_ json: String) throws -> Action {
        try JSONDecoder().decode(Action.self, from: Data(json.utf8))
    }

    @Test func eachVerbDecodesToItsCase() throws {
        #expect(
            try decode(#"{"navigate": "detail", "params": {"id": "{item.id}"}}"#)
                == .navigate(screen: "detail", params: ["id": "{item.id}"], replace: false))
        #expect(try decode(#"{"navigate": "list", "replace": true}"#) == .navigate(screen: "list", params: [:], replace: true))
        #expect(try decode(#"{"back": true}"#) == .back)
        #expect(try decode(#"{"home": true}"#) == .home)
        #expect(try decode(#"{"set": "wifi", "value": true}"#) == .set(path: "wifi", value: .bool(true)))
        #expect(try decode(#"{"toggle": "dark_mode"}"#) == .toggle(path: "dark_mode"))
        #expect(
            try decode(#"{"append": "notes", "item": {"title": "{form.title}"}}"#)
                == .append(path: "notes", item: ["title": .string("{form.title}")]))
        #expect(try decode(#"{"update": "notes#3", "item": {"done": true}}"#) == .update(path: "notes#3", fields: ["done": .bool(true)]))
        #expect(try decode(#"{"remove": "notes#3"}"#) == .remove(path: "notes#3"))
        #expect(try decode(#"{"clear": "cart"}"#) == .clear(path: "cart"))
        #expect(try decode(#"{"launch": "com.android.settings"}"#) == .launch(package: "com.android.settings"))
        #expect(try decode(#"{"require": ["name", "phone"]}"#) == .require(fields: ["name", "phone"]))
        #expect(try decode(#"{"toast": "Saved"}"#) == .toast("Saved"))
        #expect(try decode(#"{"resetForm": true}"#) == .resetForm)
        guard case .intent(let spec) = try decode(#"{"intent": {"action": "android.intent.action.VIEW", "data": "{url}"}}"#) else {
            Issue.record("an intent action decodes to .intent")
            return
        }
        #expect(spec.action == "android.intent.action.VIEW" && spec.data == "{url}")
    }

    @Test(arguments: [
        (#"{}"#, "exactly one verb"),
        (#"{"params": {"a": "b"}}"#, "this one has none"),
        (#"{"navigate": "a", "back": true}"#, "this one has back, navigate"),
        (#"{"back": true, "value": 1}"#, "\"value\" does not go with \"back\""),
        (#"{"navigate": "a", "parms": {}}"#, "\"parms\" does not go with \"navigate\""),
        (#"{"back": false}"#, "write \"back\": true")
    ])
    func malformedActionsAreRefused(json: String, message: String) {
        #expect {
            try decode(json)
        } throws: { error in
            DeviceCatalog.describe(error).contains(message)
        }
    }

    @Test func everyActionInDevicesRoundTrips() throws {
        let apps = try catalog().apps.values
        var count = 0
        for app in apps {
            for screen in app.screens {
                for action in (screen.widgets.flatMap { ($0.actions ?? []) + ($0.submit ?? []) }) + (screen.onSwipeUp ?? []) {
                    let again = try JSONDecoder().decode(Action.self, from: try JSONEncoder().encode(action))
                    #expect(again == action)
                    count += 1
                }
            }
        }
        #expect(count > 20, "the catalog's apps have actions")
    }

    @Test func aMalformedAppFileIsNamedWithThePlaceOfTheAction() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tether-actions-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.copyItem(at: devicesDirectory, to: scratch)
        let notes = scratch.appendingPathComponent("apps/notes.json")
        let text = try String(contentsOf: notes, encoding: .utf8)
        // The first action of the file gets a second verb.
        guard let range = text.range(of: #"{"back": true"#) ?? text.range(of: #""navigate": "#) else {
            Issue.record("notes.json has a back or navigate action to corrupt")
            return
        }
        let corrupted = text.replacingCharacters(
            in: range,
            with: text[range].hasPrefix("{")
                ? #"{"back": true, "home": true"#
                : #""home": true, "navigate": "#)
        try corrupted.write(to: notes, atomically: true, encoding: .utf8)
        #expect {
            try DeviceCatalog.load(from: scratch)
        } throws: { error in
            let message = "\(error)"
            return message.hasPrefix("notes.json: ") && message.contains("exactly one verb") && message.contains("actions[")
        }
    }
}
