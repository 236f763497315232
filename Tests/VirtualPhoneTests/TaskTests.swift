import Foundation
import TetherTestSupport
import PhoneRig
import Testing
@testable import VirtualPhone
import Basics

/// Steps a person (or an agent) would take: `tap:LABEL` taps the node with that text,
/// content-desc or resource id as `uiautomator dump` reports it; `long:LABEL` long-presses it;
/// anything else is a shell command line.
func perform(_ steps: [String], on phone: VirtualPhone) async throws {
    for step in steps {
        if step.hasPrefix("tap:") || step.hasPrefix("long:") {
            let long = step.hasPrefix("long:")
            let label = String(step.drop(while: { $0 != ":" }).dropFirst())
            let xml = await phone.uiHierarchyXML()
            let screen = await phone.screenId
            let point = try #require(center(of: label, in: xml), "no node \"\(label)\" on screen \(screen)")
            let command = long ? "input swipe \(point.x) \(point.y) \(point.x) \(point.y) 800" : "input tap \(point.x) \(point.y)"
            let r = await sh(phone, command)
            #expect(r.status == 0)
        } else {
            let r = await sh(phone, step)
            #expect(r.status == 0, "`\(step)`: \(r.err)")
        }
    }
}

let adbIME = "ime set com.android.adbkeyboard/.AdbIME"
func b64(_ s: String) -> String { "am broadcast -a ADB_INPUT_B64 --es msg " + Data(s.utf8).base64EncodedString() }
func launch(_ pkg: String) -> String { "monkey -p \(pkg) -c android.intent.category.LAUNCHER 1" }
func sms(_ number: String, _ body: String) -> String {
    "am start -a android.intent.action.SENDTO -d sms:\(number) --es sms_body '\(body)'"
}
let deletes = "input keyevent " + Array(repeating: "67", count: 40).joined(separator: " ")

/// A solution for every task in Devices/tasks: each walks an app's main flow through adb
/// commands alone.
let solutions: [String: [String]] = [
    "settings-wifi-off": [launch("com.android.settings"), "tap:Network & internet", "tap:Wi-Fi"],
    "settings-bluetooth-on": [launch("com.android.settings"), "tap:Connected devices", "tap:Bluetooth"],
    "settings-dark-mode": [launch("com.android.settings"), "tap:Display", "tap:Dark theme"],
    "settings-airplane-on": [launch("com.android.settings"), "tap:Network & internet", "tap:Airplane mode"],
    "settings-wifi-on": ["settings put global wifi_on 1"],
    "contacts-add-frank": [
        launch("com.android.contacts"), "tap:Create contact", "tap:Name", "input text Frank%sOcean",
        "tap:Phone", "input text +155501{{n}}", "tap:Save"
    ],
    "contacts-edit-bob-phone": [
        launch("com.android.contacts"), "tap:Search contacts", "input text Bob", "tap:Bob Martin", "tap:Edit",
        "tap:phone_field", deletes, "input text +155501{{n}}", "tap:Save"
    ],
    "contacts-delete-david": [launch("com.android.contacts"), "tap:Search contacts", "input text David", "tap:David Kim", "tap:Delete"],
    "contacts-add-chinese": [
        adbIME, launch("com.android.contacts"), "tap:Create contact", "tap:Name", b64("王芳"),
        "tap:Phone", "am broadcast -a ADB_INPUT_TEXT --es msg +8613900001234", "tap:Save"
    ],
    "messages-reply-carol": [
        launch("com.android.messaging"), "tap:Carol Diaz", "tap:Text message",
        "input text 'Maple%sHall,%s42%sHarbor%sStreet'", "tap:Send"
    ],
    "messages-text-alice": [sms("+15550101", "Running {{n}} minutes late"), "tap:Send"],
    "messages-bob-number-to-alice": [
        launch("com.android.contacts"), "tap:Search contacts", "input text Bob", "tap:Bob Martin",
        "input keyevent HOME", sms("+15550101", "Bob: +15550102"), "tap:Send"
    ],
    "messages-forward-code": [launch("com.android.messaging"), "tap:+15550177", "input keyevent BACK", sms("+15550104", "Code 482913"), "tap:Send"],
    "messages-party-address-to-carol": [
        launch("com.android.calendar"), "tap:Emma's birthday party", "input keyevent BACK",
        launch("com.android.messaging"), "tap:Carol Diaz", "tap:Text message", "input text 42%sHarbor%sStreet", "tap:Send"
    ],
    "notes-create-packing": [
        launch("com.tether.notes"), "tap:New note", "tap:Title", "input text Packing", "tap:note_body",
        "input text '{{body.input}}'", "tap:Save"
    ],
    "notes-delete-groceries": [launch("com.tether.notes"), "long:Groceries"],
    "notes-edit-groceries": [launch("com.tether.notes"), "tap:Groceries", "tap:note_body", "input text ',%s{{item}}'", "tap:Save"],
    "notes-wifi-password-to-emma": [
        launch("com.tether.notes"), "tap:Wi-Fi at the cabin", "input keyevent HOME",
        sms("+15550105", "Cabin Wi-Fi: 7hx-rivers-22"), "tap:Send"
    ],
    "clock-alarm-0630": [
        "am start -a android.intent.action.SET_ALARM --ei android.intent.extra.alarm.HOUR 6 --ei android.intent.extra.alarm.MINUTES 30 --es android.intent.extra.alarm.MESSAGE Run",
        "tap:Set alarm"
    ],
    "clock-enable-gym": [launch("com.android.deskclock"), "tap:Gym"],
    "clock-disable-work": [launch("com.android.deskclock"), "tap:Work"],
    "calendar-add-lunch": [
        launch("com.android.calendar"), "tap:New event", "tap:title", "input text Lunch%swith%sAlice", "tap:date",
        "input text 2024-05-{{d}}", "tap:time", "input text 12:30", "tap:Save"
    ],
    "calendar-delete-dentist": [launch("com.android.calendar"), "tap:Dentist", "tap:Delete"],
    "shop-buy-earbuds": [
        launch("com.tether.shop"), "tap:Search products", "input text earbuds", "input keyevent ENTER",
        "tap:Wireless Earbuds Pro", "tap:Add to cart", "tap:View cart (1)", "tap:Checkout", "tap:Place order", "tap:Confirm and pay"
    ],
    "shop-cart-two-items": [
        "am start -a android.intent.action.VIEW -d 'https://shop.example.com/search?q=yoga'", "tap:Yoga Mat", "tap:Add to cart",
        "input keyevent BACK", "input keyevent BACK",
        "am start -a android.intent.action.VIEW -d 'https://shop.example.com/search?q=bottle'", "tap:Water Bottle 1L", "tap:Add to cart"
    ],
    "shop-cheapest-charger-order": [
        launch("com.tether.shop"), "tap:Accessories", "tap:USB-C Charger 65W", "tap:Add to cart", "tap:View cart (1)",
        "tap:Checkout", "tap:shipping_address", deletes, "input text {{n}}%sElm%sRoad", "tap:Place order", "tap:Confirm and pay"
    ],
    "browser-open-weather": ["am start -a android.intent.action.VIEW -d https://weather.example.com/"],
    "browser-museum-hours-to-bob": [
        launch("com.android.browser"), "tap:City Museum", "input keyevent HOME",
        sms("+15550102", "Museum: Tue-Sun 10:00 to 18:00"), "tap:Send"
    ],
    "browser-recipe-note": [
        "am start -a android.intent.action.VIEW -d https://recipes.example.com/pancakes",
        "am start -a android.intent.action.SEND -t text/plain -p com.tether.notes --es android.intent.extra.TEXT '200 g flour, 2 eggs, 300 ml milk'",
        "tap:Title", "input text Pancakes", "tap:Save"
    ],
    "multi-contact-from-message": [
        "am start -a android.intent.action.INSERT -t vnd.android.cursor.dir/contact --es name 'Verify Service' --es phone +15550177",
        "tap:Save"
    ]
]

@Suite struct TaskTests {
    /// The original 30 tasks keep these adb routes (intents, `input`) as a second way to their
    /// checks; every task's person solution is played in PersonTaskSuiteTests.
    @Test func theAdbRoutesNameTasksThatExist() throws {
        let tasks = try catalog().tasks
        #expect(tasks.count >= 60)
        for task in tasks {
            #expect(!task.instructionZh.isEmpty && !task.instruction.isEmpty)
            #expect(Set(task.apps).isSubset(of: Set(try catalog().apps.keys)))
        }
        #expect(Set(solutions.keys).isSubset(of: Set(tasks.map(\.id))))
        #expect(solutions.count >= 30)
    }

    @Test(arguments: solutions.keys.sorted())
    func checkerFailsOnTheStartAndPassesAfterTheSolution(_ id: String) async throws {
        // A seeded task's route names its parameters; seed 1 fills them and serves the phone.
        let template = try #require(try catalog().task(id))
        let task = template.instance(seed: 1)
        let phone = try makePhone(seed: 1, task: task)
        defer { phone.removeFiles() }
        let before = task.check.evaluate(await phone.allStates)
        #expect(!before.passed, "\(id) passes before anything was done: \(before.reasons)")
        try await perform((solutions[id] ?? []).map { Placeholders.fill($0, template.paramValues(seed: 1)) }, on: phone)
        // Read the states back as a checker does: from the files `cat` prints.
        var states: [String: JSON] = [:]
        for pkg in task.apps {
            let r = await sh(phone, "cat /data/data/\(pkg)/state.json")
            states[pkg] = try JSON.parse(Array(r.out.utf8))
        }
        let after = task.check.evaluate(states)
        #expect(after.passed, "\(id) fails after its solution: \(after.reasons)")
    }

    @Test func checkReasonsSayWhatIsWrong() throws {
        let task = try #require(try catalog().task("settings-wifi-off"))
        let result = task.check.evaluate(["com.android.settings": .object(["wifi": .bool(true)])])
        #expect(!result.passed)
        #expect(result.reasons.joined().contains("is true, expected false"))
        #expect(!task.check.evaluate([:]).passed)
    }

    @Test func sameSeedSameStateOtherSeedOtherFiller() async throws {
        let a = try makePhone(seed: 7), b = try makePhone(seed: 7), c = try makePhone(seed: 8)
        let sa = await a.state(of: "com.android.contacts"), sb = await b.state(of: "com.android.contacts"), sc = await c.state(of: "com.android.contacts")
        #expect(sa == sb)
        #expect(sa != sc)
        let ia = await a.screenshot(), ib = await b.screenshot()
        #expect(ia == ib)
        for p in [a, b, c] { await p.removeFiles() }
    }
}
