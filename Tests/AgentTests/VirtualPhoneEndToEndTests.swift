import Trajectory
import ADB
import AndroidPhone
import Foundation
import Imaging
import TetherTestSupport
import PhoneRig
import Testing
import VirtualPhone
@testable import Agent

/// A virtual phone served over ADB on 127.0.0.1, reached through the real ADB transport and the
/// `Android` phone, adapted for the agent.
struct VPhoneRig {
    let rig: PhoneRig
    let control: AndroidPhoneControl
    var server: VirtualPhoneServer { rig.server }
    var connection: ADBConnection { rig.connection }
    var phone: Phone { rig.phone }
    var catalog: DeviceCatalog { rig.catalog }

    static func start(task: String? = nil) async throws -> VPhoneRig {
        let rig = try await PhoneRig.start(profile: "pixel-7", task: task)
        return VPhoneRig(rig: rig, control: AndroidPhoneControl(phone: rig.phone, settleTimeout: .seconds(2)))
    }

    func check(_ task: String) async throws -> TaskCheck.Result {
        let definition = try #require(catalog.task(task))
        return try await TaskChecker.check(definition, on: connection)
    }

    func stop() async { await rig.stop() }

    func agent(
        _ backend: any ModelBackend, operator op: any Operator, maxSteps: Int = 12, record: URL? = nil,
        events: EventLog? = nil
    ) throws -> Agent {
        Agent(
            phone: control, backend: backend, operator: op, shortcuts: try SMSScenario.shortcuts(),
            configuration: AgentConfiguration(language: .english, maxSteps: maxSteps, timeZone: TimeZone(identifier: "UTC") ?? .current),
            recordDirectory: record, onStep: { events?.add($0) }, sleep: { _ in })
    }
}

/// Devices/tasks `messages-bob-number-to-alice`: Contacts by GUI (launch, tap the contact),
/// Alice's number by the find_contact shortcut, the text by the sms_compose intent shortcut,
/// the send by a sensitive GUI tap, then finish. Coordinates are on the 0–999 grid of the
/// pixel-7 profile (1080×2400): Bob Martin's row is at y 1088–1146 px, Send at y 862–988 px.
enum BobToAlice {
    static let task = "messages-bob-number-to-alice"
    static let instruction = "Find Bob Martin's phone number in Contacts and text it to Alice Chen."
    static let sendMessage = "Send the text with Bob Martin's number to Alice Chen"
    static let untilSend = [
        "<think>I need Bob Martin's phone number first. It is in Contacts, so I open the Contacts app.</think>\n<answer>do(action=\"Launch\", app=\"Contacts\")</answer>",
        "<think>The contact list is open. Bob Martin is the second entry; I tap it to see his number.</think>\n<answer>do(action=\"Tap\", element=[280,465])</answer>",
        "<think>Bob Martin's number is +1 555 0102. Now I need Alice Chen's number to send it to her; the find_contact shortcut looks it up without leaving this screen.</think>\n<answer>do(action=\"Shortcut\", name=\"find_contact\", query=\"Alice Chen\")</answer>",
        "<think>Alice Chen's number is +1 555 0101. I start a text to her with Bob's number filled in through the sms_compose shortcut.</think>\n<answer>do(action=\"Shortcut\", name=\"sms_compose\", number=\"+1 555 0101\", body=\"Bob Martin's number: +1 555 0102\")</answer>",
        "<think>The message to +15550101 is filled in. The Send button is below the text. Sending a message cannot be undone, so it needs the user's confirmation.</think>\n<answer>do(action=\"Tap\", element=[500,385], message=\"\(sendMessage)\")</answer>"
    ]
    static let finish = "<think>The message shows as sent in the conversation with Alice Chen.</think>\n<answer>finish(message=\"Sent Bob Martin's number (+1 555 0102) to Alice Chen.\")</answer>"
    static let giveUp = "<think>I was not allowed to send the message, so the task cannot be completed.</think>\n<answer>finish(message=\"The text was not sent: the user did not allow it.\")</answer>"
    static var replies: [String] { untilSend + [finish] }
}

@Suite(.serialized) struct VirtualPhoneEndToEndTests {
    @Test func adapterObservesLabelsAndReplacesText() async throws {
        let rig = try await VPhoneRig.start()
        do {
            let home = try await rig.control.observe()
            #expect(home.currentApp == "System Home")
            #expect(home.image.width == 1080 && home.image.height == 2400)
            let apps = try await rig.control.installedApps()
            #expect(apps.contains(AppLabel(package: "com.android.contacts", label: "Contacts")))
            #expect(apps.contains(AppLabel(package: "com.android.messaging", label: "Messages")))
            #expect(!apps.contains { $0.package == "com.android.launcher3" }, "the launcher is not an app to launch")

            // A prefilled field is cleared, then typed into (through ADB Keyboard, switched back after).
            let before = try await rig.phone.shell("settings get secure default_input_method").stdoutText
            _ = try await rig.control.shell("am start -a android.intent.action.SENDTO -d sms:+15550101 --es sms_body 'old text'")
            #expect(try await rig.control.observe().currentApp == "Messages")
            try await rig.control.tap(x: 540, y: 640)
            try await rig.control.replaceText("新的 text ✓")
            let ui = try await rig.phone.uiHierarchy()
            let body = try #require(ui.allNodes.first { $0.resourceId.hasSuffix("compose_message_text") })
            #expect(body.text == "新的 text ✓")
            #expect(try await rig.phone.shell("settings get secure default_input_method").stdoutText == before)
        } catch {
            await rig.stop()
            throw error
        }
        await rig.stop()
    }

    @Test func scriptedModelDoesTheMultiAppTaskAndItsCheckPasses() async throws {
        let rig = try await VPhoneRig.start()
        let backend = ScriptedBackend(replies: BobToAlice.replies)
        let person = ScriptedOperator(decisions: [.approve])
        let scratch = TemporaryDirectory()
        let dir = scratch.url.appendingPathComponent("episode")
        defer { try? FileManager.default.removeItem(at: dir) }
        let events = EventLog()
        let before = try await rig.check(BobToAlice.task)
        let outcome = await (try rig.agent(backend, operator: PolicyOperator(sensitive: .ask, interactive: person), record: dir, events: events))
            .run(task: BobToAlice.instruction)
        let after = try await rig.check(BobToAlice.task)
        await rig.stop()

        #expect(!before.passed, "the check must be able to fail")
        #expect(outcome == Outcome(status: .finished, message: "Sent Bob Martin's number (+1 555 0102) to Alice Chen.", steps: 6))
        #expect(after.passed, "\(after.reasons)")
        #expect(await person.confirmations.map(\.message) == [BobToAlice.sendMessage])
        let requests = await backend.requests
        let turns = requests.map { $0.messages.last?.text ?? "" }
        #expect(turns[0].contains("\"current_app\": \"System Home\""))
        #expect(turns[1].contains("\"current_app\": \"Contacts\""))
        #expect(turns[3].contains("Shortcut find_contact found:") && turns[3].contains("Alice Chen"), "\(turns[3])")
        #expect(turns[4].contains("\"current_app\": \"Messages\""))
        #expect(requests[0].messages[0].text.contains("sms_compose"), "the shortcut is offered")
        #expect(events.all.compactMap(\.action?.name) == ["Launch", "Tap", "Shortcut", "Shortcut", "Tap", "finish"])
        let episode = try Episode(contentsOf: dir)
        #expect(episode.info.outcome.status == .finished)
        #expect(episode.steps.count == 6)
    }

    @Test func servedModelOverHTTPDoesTheTaskAndItsCheckPasses() async throws {
        let rig = try await VPhoneRig.start()
        let server = try FakeOpenAIServer { _, n in
            n <= BobToAlice.replies.count
                ? .events(FakeOpenAIServer.chunks(BobToAlice.replies[n - 1], pieceLength: 6))
                : .json(status: 500, body: #"{"error":{"message":"no more replies"}}"#)
        }
        let backend = OpenAIBackend(configuration: .init(baseURL: server.baseURL, model: "autoglm-phone-9b", apiKey: "sk-test", maxAttempts: 1))
        let outcome = await (try rig.agent(backend, operator: PolicyOperator(sensitive: .allow))).run(task: BobToAlice.instruction)
        let after = try await rig.check(BobToAlice.task)
        try await backend.shutdown()
        try await server.stop()
        await rig.stop()

        #expect(outcome.status == .finished)
        #expect(after.passed, "\(after.reasons)")
        #expect(server.requests.count == 6)
        // Each request carries the phone's real screen, as a PNG, on its newest turn only.
        for r in server.requests {
            let messages = try #require(r.json?["messages"] as? [[String: Any]])
            let parts = try #require(messages.last?["content"] as? [[String: Any]])
            let url = try #require((parts.first?["image_url"] as? [String: Any])?["url"] as? String)
            let png = try #require(Data(base64Encoded: String(url.dropFirst("data:image/png;base64,".count))))
            let image = try Image(encodedData: [UInt8](png))
            #expect(image.width == 1080 && image.height == 2400)
            #expect(messages.dropLast().allSatisfy { ($0["content"] as? String) != nil })
        }
    }

    @Test(arguments: [SensitivePolicy.allow, .deny, .ask])
    func everySensitivePolicyOnTheRealSend(_ policy: SensitivePolicy) async throws {
        let rig = try await VPhoneRig.start()
        let backend = ScriptedBackend(replies: BobToAlice.untilSend + [policy == .allow ? BobToAlice.finish : BobToAlice.giveUp])
        // Unattended: `ask` has nobody to ask.
        let outcome = await (try rig.agent(backend, operator: PolicyOperator(sensitive: policy))).run(task: BobToAlice.instruction)
        let check = try await rig.check(BobToAlice.task)
        await rig.stop()
        let requests = await backend.requests
        switch policy {
        case .allow:
            #expect(outcome.status == .finished)
            #expect(check.passed, "\(check.reasons)")
        case .deny:
            #expect(!check.passed, "the send was not tapped")
            #expect(outcome.status == .finished, "the model was told and gave up")
            #expect(requests.last?.messages.last?.text.contains("The user did not allow this action") == true)
        case .ask:
            #expect(!check.passed)
            #expect(outcome.status == .failed)
            #expect(outcome.message.contains("stopped at a sensitive action"))
            #expect(requests.count == 5, "the run stopped at the send")
        }
    }

    /// A phone asleep on its lock screen is woken and unlocked before the first step.
    @Test func aSleepingPhoneIsWokenAndUnlockedFirst() async throws {
        let rig = try await VPhoneRig.start()
        await rig.server.phone.sleep()
        let backend = ScriptedBackend(replies: ["<think>The home screen is showing.</think>\n<answer>finish(message=\"Home.\")</answer>"])
        let outcome = await (try rig.agent(backend, operator: PolicyOperator(sensitive: .deny))).run(task: "Show the home screen")
        let awake = await rig.server.phone.awake, locked = await rig.server.phone.keyguardShowing
        await rig.stop()
        #expect(outcome.status == .finished, "\(outcome.message)")
        #expect(awake && !locked)
        let first = try #require(await backend.requests.first)
        #expect(first.messages.last?.text.contains("\"current_app\": \"System Home\"") == true)
    }

    /// A PIN: only a person can unlock. Unattended, the run stops before asking the model; with a
    /// person who unlocks it at the take-over, the run goes on.
    @Test func aPINLockedPhoneNeedsAPerson() async throws {
        let rig = try await VPhoneRig.start()
        await rig.server.phone.setLockPIN("2468")
        await rig.server.phone.sleep()
        let nobody = ScriptedBackend(replies: [])
        let stopped = await (try rig.agent(nobody, operator: PolicyOperator(sensitive: .deny))).run(task: "Show the home screen")
        #expect(stopped.status == .failed)
        #expect(stopped.message.contains("PIN"), "\(stopped.message)")
        #expect(await nobody.requests.isEmpty)

        struct Unlocker: Operator {
            let phone: AndroidPhone.Phone
            func confirm(_ request: ConfirmationRequest) async -> ConfirmationDecision { .deny(reason: "no") }
            func interact(_ request: InteractionRequest) async -> InteractionOutcome { .unavailable(reason: "no") }
            func takeOver(_ request: TakeOverRequest) async -> TakeOverOutcome {
                _ = try? await phone.shell("input text 2468; input keyevent KEYCODE_ENTER")
                return .done(note: nil)
            }
        }
        let backend = ScriptedBackend(replies: ["<think>Unlocked.</think>\n<answer>finish(message=\"Home.\")</answer>"])
        let outcome = await (try rig.agent(backend, operator: Unlocker(phone: rig.phone))).run(task: "Show the home screen")
        let locked = await rig.server.phone.keyguardShowing
        await rig.stop()
        #expect(outcome.status == .finished, "\(outcome.message)")
        #expect(!locked)
    }

    /// The phone is unplugged while the model thinks about step 3: the run ends as failed with
    /// the reason, promptly, and the episode is closed with what happened so far.
    @Test func aPhoneUnpluggedMidRunEndsItCleanly() async throws {
        let rig = try await VPhoneRig.start()
        let script = ScriptedBackend(replies: BobToAlice.replies)
        struct Unplugging: ModelBackend {
            let inner: ScriptedBackend
            let server: VirtualPhoneServer
            var description: String { "scripted, unplugging the phone at the third call" }
            func complete(_ request: ModelRequest, onText: (@Sendable (String) -> Void)?) async throws -> ModelReply {
                if await inner.requests.count == 2 { await server.stop(removeFiles: false) }
                return try await inner.complete(request, onText: onText)
            }
        }
        let scratch = TemporaryDirectory()
        let dir = scratch.url.appendingPathComponent("episode")
        defer { try? FileManager.default.removeItem(at: dir) }
        let started = ContinuousClock.now
        let outcome = await (try rig.agent(Unplugging(inner: script, server: rig.server), operator: PolicyOperator(sensitive: .allow), record: dir))
            .run(task: BobToAlice.instruction)
        let elapsed = ContinuousClock.now - started
        await rig.stop()
        #expect(outcome.status == .failed)
        #expect(outcome.steps == 3)
        #expect(
            outcome.message.lowercased().contains("connection") || outcome.message.lowercased().contains("closed")
                || outcome.message.lowercased().contains("phone"), "\(outcome.message)")
        #expect(elapsed < .seconds(60), "no hang")
        let episode = try Episode(contentsOf: dir)
        #expect(episode.info.outcome.status == .failed)
        #expect(episode.steps.count >= 2)
    }

    @Test func takeOverUnattendedStopsCleanly() async throws {
        let rig = try await VPhoneRig.start()
        let backend = ScriptedBackend(replies: [
            "<think>This needs the user to log in first.</think>\n<answer>do(action=\"Take_over\", message=\"Please log in to your account\")</answer>"
        ])
        let outcome = await (try rig.agent(backend, operator: PolicyOperator(sensitive: .allow))).run(task: "Check my bank balance")
        await rig.stop()
        #expect(outcome.status == .failed)
        #expect(outcome.message.contains("needs a person at the phone"))
    }

    @Test func actionFailuresReachTheModel() async throws {
        let rig = try await VPhoneRig.start()
        let backend = ScriptedBackend(replies: [
            "<think>I open WhatsApp to send the message.</think>\n<answer>do(action=\"Launch\", app=\"WhatsApp\")</answer>",
            "<think>WhatsApp is not installed. I use the SMS shortcut, but the number is wrong.</think>\n<answer>do(action=\"Shortcut\", name=\"sms_compose\", number=\"Alice\")</answer>",
            "<think>I launch Messages instead.</think>\n<answer>do(action=\"Launch\", app=\"messages\")</answer>",
            "<think>Messages is open.</think>\n<answer>finish(message=\"Opened Messages.\")</answer>"
        ])
        let outcome = await (try rig.agent(backend, operator: PolicyOperator(sensitive: .deny))).run(task: "Text Alice")
        await rig.stop()
        #expect(outcome.status == .finished)
        let turns = await backend.requests.map { $0.messages.last?.text ?? "" }
        #expect(turns[1].contains("App \\\"WhatsApp\\\" is not installed") || turns[1].contains("App \"WhatsApp\" is not installed"), "\(turns[1])")
        #expect(turns[1].contains("Messages"), "the installed apps are listed")
        #expect(turns[2].contains("number"), "the bad parameter is explained: \(turns[2])")
        #expect(turns[3].contains("\"current_app\": \"Messages\""))
    }

    @Test func loopOnAnUnchangingScreenIsNudgedThenStopped() async throws {
        let rig = try await VPhoneRig.start()
        // A tap on empty space below Bob Martin's details changes nothing.
        let stuck = "<think>I tap the number to copy it.</think>\n<answer>do(action=\"Tap\", element=[500,850])</answer>"
        let backend = ScriptedBackend(replies: Array(BobToAlice.untilSend.prefix(2)) + Array(repeating: stuck, count: 8))
        let outcome = await (try rig.agent(backend, operator: PolicyOperator(sensitive: .deny))).run(task: BobToAlice.instruction)
        await rig.stop()
        #expect(outcome.status == .failed)
        #expect(outcome.message.contains("repeated"), "\(outcome.message)")
        #expect(outcome.steps == 7, "2 steps, then the same tap 5 times")
        let turns = await backend.requests.map { $0.messages.last?.text ?? "" }
        #expect(turns.count == 7)
        #expect(turns[5].contains("3 times and nothing changed"), "nudged after the third: \(turns[5])")
        #expect(!turns[4].contains("nothing changed"))
    }

    @Test func unreadableRepliesNeverCountAsSuccess() async throws {
        let rig = try await VPhoneRig.start()
        let backend = ScriptedBackend(replies: [
            "<think>Everything is done, so I would finish(message=\"done\") now.</think>\n<answer>do(action=\"Tapp\", element=[500,500])</answer>",
            "The task is complete.",
            BobToAlice.finish
        ])
        let outcome = await (try rig.agent(backend, operator: PolicyOperator(sensitive: .allow))).run(task: BobToAlice.instruction)
        let check = try await rig.check(BobToAlice.task)
        await rig.stop()
        #expect(outcome.status == .failed)
        #expect(outcome.message.contains("could not be read as an action 2 times"))
        #expect(outcome.steps == 2)
        #expect(await backend.remaining == 1, "the finish was never asked for")
        #expect(!check.passed)
    }
}
