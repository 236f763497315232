import ADB
import AndroidPhone
import Foundation
import PhoneRig
import Testing
import VirtualPhone

/// Typing that confirms delivery: a focused field is required, the text is read back from the
/// UI tree, and typers into one phone take turns (issue 12).
struct TypingTests {
    /// Opens the new-contact form and focuses its Name field.
    func focusNameField(_ rig: PhoneRig) async throws {
        try await rig.phone.start(Intent(action: "android.intent.action.INSERT", mimeType: "vnd.android.cursor.dir/contact"))
        let name = try #require(try await rig.phone.uiHierarchy().find("Name"))
        try await rig.phone.tap(x: name.bounds.center.x, y: name.bounds.center.y)
    }

    func currentIME(_ rig: PhoneRig) async throws -> String {
        try await rig.phone.shell("settings get secure default_input_method").stdoutText
    }

    /// `tether launch Settings; tether type hello` used to say it typed: the Settings screen has
    /// no text field, so nothing is sent and the IME is never switched.
    @Test func typingWithNoFieldFocusedIsRefusedBeforeAnythingIsSent() async throws {
        try await withPhoneRig { rig in
            try await rig.phone.launch("Settings")
            let imeBefore = try await currentIME(rig)
            await #expect(throws: PhoneError.noFocusedTextField) { try await rig.phone.type("hello") }
            await #expect(throws: PhoneError.noFocusedTextField) { try await rig.phone.replaceText("hello") }
            #expect(try await currentIME(rig) == imeBefore)
            #expect(PhoneError.noFocusedTextField.description.hasPrefix("no text field has focus"))
        }
    }

    /// The PIN lock screen takes digits but has no text field: typing is an error, and the digits
    /// do not land in the PIN entry.
    @Test func typingOnThePINLockScreenIsRefused() async throws {
        try await withPhoneRig { rig in
            try await focusNameField(rig)
            await rig.device.setLockPIN("2468")
            await rig.device.sleep()
            await rig.device.wakeUp()
            _ = try await rig.phone.shell("wm dismiss-keyguard")  // shows the PIN entry
            await #expect(throws: PhoneError.noFocusedTextField) { try await rig.phone.type("2468") }
            #expect(await rig.device.keyguardShowing)
        }
    }

    @Test func typedTextIsConfirmedAndReplaceTextReplaces() async throws {
        try await withPhoneRig { rig in
            try await focusNameField(rig)
            #expect(try await rig.phone.type("Ada") == .adbKeyboard)
            #expect(try await rig.phone.focusedTextField().text == "Ada")
            try await rig.phone.replaceText("Grace Hopper")
            #expect(await rig.device.formValue("name") == "Grace Hopper")
            try await rig.phone.replaceText("")
            #expect(await rig.device.formValue("name") == "")
        }
    }

    /// A phone that answers the broadcast but whose field never changes (the text went nowhere):
    /// an error that says so, not success.
    @Test func textThatDoesNotArriveIsAnError() async throws {
        var configuration = Phone.Configuration.oneStreamPerCommand
        configuration.textConfirmTimeout = .milliseconds(300)
        try await withPhoneRig(configuration: configuration) { rig in
            try await focusNameField(rig)
            rig.rules.add("am broadcast -a ADB_INPUT_B64") { _, io in
                try? await io.out("Broadcasting: Intent { act=ADB_INPUT_B64 flg=0x400000 }\nBroadcast completed: result=0\n")
                return 0
            }
            await #expect(throws: PhoneError.textNotDelivered(expected: "lost", field: "Name")) { try await rig.phone.type("lost") }
            #expect(try await currentIME(rig).contains("com.android.inputmethod.latin"), "the user's IME is back")
        }
    }

    /// A password field reads back as dots: a change in the field is the confirmation.
    @Test func passwordFieldsAreConfirmedByTheirChange() async throws {
        try await withPhoneRig(adjust: { catalog in
            guard var contacts = catalog.apps["com.android.contacts"] else { return }
            for s in contacts.screens.indices {
                for w in contacts.screens[s].widgets.indices where contacts.screens[s].widgets[w].field == "name" {
                    contacts.screens[s].widgets[w].password = true
                }
            }
            catalog.apps["com.android.contacts"] = contacts
        }) { rig in
            try await focusNameField(rig)
            try await rig.phone.type("s3cret")
            let field = try await rig.phone.focusedTextField()
            #expect(field.password)
            #expect(field.text == "••••••")
            #expect(await rig.device.formValue("name") == "s3cret")
        }
    }

    /// Five typers at once into one field, through one `Phone` and through five (five
    /// connections, as five processes would have): every chunk arrives whole.
    @Test(arguments: [false, true])
    func concurrentTypersTakeTurns(separatePhones: Bool) async throws {
        try await withPhoneRig { rig in
            try await focusNameField(rig)
            let chunks = ["[alpha]", "[bravo]", "[charlie]", "[delta]", "[echo]"]
            var phones: [Phone] = []
            var connections: [ADBConnection] = []
            if separatePhones {
                for _ in chunks {
                    let connection = try await ADBHost.connect(transport: try await TCPPacketTransport.connect(host: "127.0.0.1", port: rig.port), keys: nil)
                    connections.append(connection)
                    phones.append(Phone(target: connection))
                }
            } else {
                phones = Array(repeating: rig.phone, count: chunks.count)
            }
            let outcome = await Result(catching: {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (phone, chunk) in zip(phones, chunks) {
                        group.addTask { try await phone.type(chunk) }
                    }
                    try await group.waitForAll()
                }
            })
            if separatePhones {
                for phone in phones { await phone.close() }
                for connection in connections { await connection.close() }
            }
            try outcome.get()
            let value = await rig.device.formValue("name") ?? ""
            for chunk in chunks { #expect(value.contains(chunk), "\(chunk) in \(value)") }
            #expect(value.count == chunks.joined().count, "\(value)")
        }
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
