import Basics
import Trajectory
import Foundation
import Imaging
import TetherTestSupport
import Testing
@testable import Agent

final class EventLog: Sendable {
    private let items = Locked<[StepEvent]>([])
    func add(_ e: StepEvent) { items.withLock { $0.append(e) } }
    var all: [StepEvent] { items.value }
}

/// The multi-app task of the issue: find a contact's number (content-query shortcut), send it
/// by SMS through the compose intent (intent shortcut), confirm the sensitive send (GUI tap
/// with a message), finish. Realistic AutoGLM replies, tags and all.
enum SMSScenario {
    static let task = "Send Alice's phone number to Bob (555 0199) by SMS"
    static let replies = [
        "<think>The task needs Alice's number first. The find_contact shortcut searches the contacts directly, which is quicker than opening Contacts and scrolling.</think>\n<answer>do(action=\"Shortcut\", name=\"find_contact\", query=\"Alice\")</answer>",
        "<think>Alice Chen's number is +1 555 0100. Now I compose the SMS to Bob with that number in the body.</think>\n<answer>do(action=\"Shortcut\", name=\"sms_compose\", number=\"555 0199\", body=\"Alice's number: +1 555 0100\")</answer>",
        "<think>The message is filled in. The send button is at the bottom right. Sending a message to someone cannot be undone.</think>\n<answer>do(action=\"Tap\", element=[916,946], message=\"Send the SMS with Alice's number to Bob\")</answer>",
        "<think>The message has been sent.</think>\n<answer>finish(message=\"Sent Alice's number (+1 555 0100) to Bob by SMS.\")</answer>"
    ]

    static func shortcuts() throws -> ShortcutLibrary { try ShortcutLibrary.load(directory: Paths.shortcuts) }
}

func agent(
    _ phone: FakePhone, _ backend: any ModelBackend, operator op: any Operator = PolicyOperator(sensitive: .allow),
    shortcuts: ShortcutLibrary = .empty, language: PromptLanguage = .english, maxSteps: Int = 20,
    record: URL? = nil, events: EventLog? = nil
) -> Agent {
    Agent(
        phone: phone, backend: backend, operator: op, shortcuts: shortcuts,
        configuration: AgentConfiguration(
            language: language, maxSteps: maxSteps,
            timeZone: TimeZone(identifier: "UTC") ?? .current),
        recordDirectory: record, onStep: { events?.add($0) }, sleep: { _ in })
}

@Suite struct AgentLoopTests {
    @Test func shortcutsAndGUITogetherWithAConfirmedSend() async throws {
        let phone = FakePhone()
        let backend = ScriptedBackend(replies: SMSScenario.replies)
        let person = ScriptedOperator(decisions: [.approve])
        let scratch = TemporaryDirectory()
        let dir = scratch.url.appendingPathComponent("episode")
        defer { try? FileManager.default.removeItem(at: dir) }
        let events = EventLog()
        let outcome = await agent(
            phone, backend, operator: PolicyOperator(sensitive: .ask, interactive: person),
            shortcuts: try SMSScenario.shortcuts(), record: dir, events: events
        )
        .run(task: SMSScenario.task)

        #expect(outcome == Outcome(status: .finished, message: "Sent Alice's number (+1 555 0100) to Bob by SMS.", steps: 4))
        #expect(
            await phone.log == [
                "shell content query --uri content://com.android.contacts/data/phones --projection display_name:data1 --where 'display_name LIKE '\\''%'\\'' || '\\''Alice'\\'' || '\\''%'\\'''",
                "shell am start -a android.intent.action.SENDTO -d sms:5550199 --es sms_body 'Alice'\\''s number: +1 555 0100'",
                "tap 989 2270"
            ])
        #expect(await person.confirmations.map(\.message) == ["Send the SMS with Alice's number to Bob"])

        // The model saw the query's rows and the app change.
        let requests = await backend.requests
        #expect(requests.count == 4)
        #expect(requests[1].messages.last?.text.contains("Shortcut find_contact found: Row: 0 display_name=Alice Chen, data1=+1 555 0100") == true)
        #expect(requests[2].messages.last?.text.contains("\"current_app\": \"Messages\"") == true)
        #expect(requests[0].messages[0].text.contains("find_contact(query: text)"), "offered in the prompt")
        #expect(!requests[0].messages[0].text.contains("set_alarm"), "no clock app, no alarm shortcut")

        // Recorded.
        let episode = try Episode(contentsOf: dir)
        #expect(episode.info.outcome.status == .finished)
        #expect(episode.info.backend.contains("scripted"))
        #expect(episode.steps.map(\.actionName) == [.shortcut, .shortcut, .tap, .finish])
        #expect(episode.steps.allSatisfy { $0.screen != nil && $0.screenWidth == 1080 })
        #expect(events.all.map(\.step) == [1, 2, 3, 4])
    }

    @Test func actionFailuresGoBackToTheModel() async throws {
        let phone = FakePhone()
        let backend = ScriptedBackend(replies: [
            #"<answer>do(action="Launch", app="Gallery")</answer>"#,
            #"<answer>do(action="Launch", app="contacts")</answer>"#,
            #"<answer>do(action="Shortcut", name="teleport")</answer>"#,
            #"<answer>finish(message="ok")</answer>"#
        ])
        let outcome = await agent(phone, backend).run(task: "t")
        #expect(outcome.status == .finished)
        #expect(await phone.log == ["launch com.android.contacts"], "fuzzy label match; nothing for Gallery")
        let requests = await backend.requests
        #expect(requests[1].messages.last?.text.contains("App \\\"Gallery\\\" is not installed on this phone") == true)
        #expect(requests[2].messages.last?.text.contains("Launched \\\"Contacts\\\"") == true)
        #expect(requests[3].messages.last?.text.contains("There is no shortcut \\\"teleport\\\"") == true)
    }

    /// Typing with no field focused: the model hears that it failed (not "typed N characters"),
    /// and the run goes on.
    @Test func typingWithNoFocusedFieldIsReportedToTheModel() async throws {
        let phone = FakePhone(fieldFocused: false)
        let backend = ScriptedBackend(replies: [
            #"<answer>do(action="Type", text="hello")</answer>"#,
            #"<answer>do(action="Type_Name", text="Ann")</answer>"#,
            #"<answer>finish(message="could not type")</answer>"#
        ])
        let outcome = await agent(phone, backend).run(task: "t")
        #expect(outcome.status == .finished)
        #expect(await phone.field == "")
        let requests = await backend.requests
        #expect(requests[1].messages.last?.text.contains("Type did not work: no text field has focus") == true)
        #expect(requests[2].messages.last?.text.contains("Type_Name did not work: no text field has focus") == true)
        #expect(requests[1].messages.last?.text.contains("typed") == false)
    }

    @Test func loopDetectionNudgesThenStops() async throws {
        let phone = FakePhone(frozen: true)
        let back = #"<think>Go back.</think><answer>do(action="Back")</answer>"#
        let backend = ScriptedBackend(replies: Array(repeating: back, count: 10))
        let outcome = await agent(phone, backend).run(task: "t")
        #expect(outcome.status == .failed)
        #expect(outcome.message.contains("repeated Back on an unchanged screen 5 times"))
        #expect(outcome.steps == 5)
        let requests = await backend.requests
        #expect(requests.count == 5)
        #expect(requests[3].messages.last?.text.contains("on this same screen 3 times") == true, "nudged after the third")
        #expect(requests[2].messages.last?.text.contains("same screen") == false)
        #expect(await phone.log.count == 4, "the fifth repeat is not carried out")
    }

    @Test func sameActionOnAChangingScreenIsNoLoop() async throws {
        let phone = FakePhone()
        let swipe = #"<answer>do(action="Swipe", start=[500,800], end=[500,200])</answer>"#
        let backend = ScriptedBackend(replies: Array(repeating: swipe, count: 6) + [#"finish(message="found")"#])
        let outcome = await agent(phone, backend).run(task: "scroll to the end")
        #expect(outcome.status == .finished)
        #expect(await phone.log.count == 6)
    }

    @Test func unreadableReplyIsRetriedOnceThenFailsNeverFinishes() async throws {
        let phone = FakePhone()
        let backend = ScriptedBackend(replies: ["I think the task is complete.", "Definitely complete!"])
        let outcome = await agent(phone, backend).run(task: "t")
        #expect(outcome.status == .failed)
        #expect(outcome.message.contains("could not be read as an action 2 times"))
        let requests = await backend.requests
        #expect(requests[1].messages.last?.text.contains("Your last reply could not be carried out") == true)
        #expect(requests[1].messages[requests[1].messages.count - 2].text == "I think the task is complete.")
    }

    @Test func unreadableReplyThenAGoodOneGoesOn() async throws {
        let backend = ScriptedBackend(replies: [
            "do(action=\"Tap\", element=[x,y])", #"<answer>do(action="Home")</answer>"#,
            #"finish(message="done")"#
        ])
        let outcome = await agent(FakePhone(), backend, language: .chinese).run(task: "t")
        #expect(outcome == Outcome(status: .finished, message: "done", steps: 3))
        #expect(await backend.requests[1].messages.last?.text.contains("上一条回复无法执行") == true)
    }

    @Test func deniedSensitiveTapIsNotMadeAndTheModelIsTold() async throws {
        let phone = FakePhone()
        let backend = ScriptedBackend(replies: [
            #"<answer>do(action="Tap", element=[500,900], message="Pay 30 yuan")</answer>"#,
            #"<answer>finish(message="The user refused the payment.")</answer>"#
        ])
        let outcome = await agent(phone, backend, operator: PolicyOperator(sensitive: .deny)).run(task: "buy")
        #expect(outcome.status == .finished)
        #expect(await phone.log.isEmpty)
        #expect(await backend.requests[1].messages.last?.text.contains("The user did not allow this action (Pay 30 yuan)") == true)
    }

    @Test func askingWithNobodyThereStopsCleanly() async throws {
        let phone = FakePhone()
        let backend = ScriptedBackend(replies: [#"<answer>do(action="Tap", element=[500,900], message="Pay")</answer>"#])
        let outcome = await agent(phone, backend, operator: PolicyOperator(sensitive: .ask)).run(task: "buy")
        #expect(outcome.status == .failed)
        #expect(outcome.message.contains("nobody can answer"))
        #expect(await phone.log.isEmpty)
    }

    @Test func takeOverUnattendedFailsAndAttendedGoesOn() async throws {
        let login = #"<answer>do(action="Take_over", message="Please log in")</answer>"#
        let unattended = await agent(FakePhone(), ScriptedBackend(replies: [login]), operator: PolicyOperator(sensitive: .deny))
            .run(task: "t")
        #expect(unattended.status == .failed)
        #expect(unattended.message.contains("Please log in") && unattended.message.contains("unattended"))

        let person = ScriptedOperator(takeOvers: [.done(note: "logged in")])
        let backend = ScriptedBackend(replies: [login, #"finish(message="ok")"#])
        let attended = await agent(FakePhone(), backend, operator: PolicyOperator(sensitive: .ask, interactive: person)).run(task: "t")
        #expect(attended.status == .finished)
        #expect(await backend.requests[1].messages.last?.text.contains("The user has done it by hand: logged in") == true)
    }

    @Test func interactAsksOrLetsTheModelChoose() async throws {
        let ask = #"<think>Two contacts are called Alice: Alice Chen and Alice Wu.</think><answer>do(action="Interact")</answer>"#
        let person = ScriptedOperator(answers: [.answer("Alice Wu")])
        let backend = ScriptedBackend(replies: [ask, #"finish(message="ok")"#])
        _ = await agent(FakePhone(), backend, operator: PolicyOperator(sensitive: .ask, interactive: person)).run(task: "t")
        #expect(await person.interactions.first?.context == "Two contacts are called Alice: Alice Chen and Alice Wu.")
        #expect(await backend.requests[1].messages.last?.text.contains("The user answered: Alice Wu") == true)

        let alone = ScriptedBackend(replies: [ask, #"finish(message="ok")"#])
        let outcome = await agent(FakePhone(), alone, operator: PolicyOperator(sensitive: .allow)).run(task: "t")
        #expect(outcome.status == .finished)
        #expect(await alone.requests[1].messages.last?.text.contains("Choose the option that best fits the task yourself") == true)
    }

    @Test func noteThenCallAPIAnswersFromTheNotedPages() async throws {
        let backend = ScriptedBackend(replies: [
            #"<think>The contact page shows Alice Chen, +1 555 0100.</think><answer>do(action="Note", message="True")</answer>"#,
            #"<answer>do(action="Call_API", instruction="What is Alice's number?")</answer>"#,
            "<think>From page 1.</think><answer>+1 555 0100</answer>",  // the Call_API request
            #"finish(message="+1 555 0100")"#
        ])
        let outcome = await agent(FakePhone(), backend).run(task: "find Alice's number")
        #expect(outcome.status == .finished)
        let requests = await backend.requests
        #expect(requests.count == 4)
        let api = requests[2]
        #expect(api.messages.filter { $0.image != nil }.count == 1)
        #expect(api.messages.contains { $0.text.contains("The contact page shows Alice Chen") })
        #expect(api.messages.last?.text.contains("Instruction: What is Alice's number?") == true)
        #expect(requests[3].messages.last?.text.contains("Call_API result: +1 555 0100") == true)
    }

    @Test func stepLimitIsAFailure() async throws {
        let backend = ScriptedBackend(replies: Array(repeating: #"<answer>do(action="Wait", duration="1 seconds")</answer>"#, count: 5))
        let phone = FakePhone()
        let outcome = await agent(phone, backend, maxSteps: 2).run(task: "t")
        #expect(outcome == Outcome(status: .failed, message: "reached the step limit (2) before the model finished", steps: 2))
    }

    @Test func backendFailureEndsTheRunAsFailedAndIsRecorded() async throws {
        let scratch = TemporaryDirectory()
        let dir = scratch.url.appendingPathComponent("episode")
        defer { try? FileManager.default.removeItem(at: dir) }
        let outcome = await agent(FakePhone(), ScriptedBackend(replies: []), record: dir).run(task: "t")
        #expect(outcome.status == .failed)
        #expect(outcome.message.contains("no reply left"))
        #expect(try Episode(contentsOf: dir).info.outcome.status == .failed)
    }

    @Test func gestureMapping() async throws {
        let phone = FakePhone()
        let backend = ScriptedBackend(replies: [
            #"do(action="Double Tap", element=[0,0])"#,
            #"do(action="Long Press", element=[999,999])"#,
            #"do(action="Swipe", start=[500,900], end=[500,100])"#,
            #"do(action="Type", text="hi there")"#,
            #"do(action="Home")"#,
            #"finish(message="ok")"#
        ])
        _ = await agent(phone, backend).run(task: "t")
        #expect(
            await phone.log == [
                "doubletap 0 0", "longpress 1078 2397 1000", "swipe 540 2160 540 240 960",
                "text hi there", "home"
            ])
    }
}

@Suite struct AppLabelMatchTests {
    let apps =
        FakePhone.apps + [
            AppLabel(package: "com.google.android.apps.maps", label: "Maps"),
            AppLabel(package: "com.example.mail", label: "Mail"),
            AppLabel(package: "com.example.gmail", label: "Gmail")
        ]

    @Test func matches() {
        #expect(AppLabel.match("Contacts", in: apps)?.package == "com.android.contacts")
        #expect(AppLabel.match("contacts ", in: apps)?.package == "com.android.contacts")
        #expect(AppLabel.match("com.tencent.mm", in: apps)?.package == "com.tencent.mm")
        #expect(AppLabel.match("微信", in: apps)?.package == "com.tencent.mm")
        #expect(AppLabel.match("Google Maps", in: apps)?.package == "com.google.android.apps.maps")
        #expect(AppLabel.match("Setings", in: apps)?.package == "com.android.settings", "typo")
        #expect(AppLabel.match("Mail", in: apps)?.package == "com.example.mail", "exact beats containment")
        #expect(AppLabel.match("Gallery", in: apps) == nil)
        #expect(AppLabel.match("", in: apps) == nil)
    }
}

@Suite struct AgentOverHTTPTests {
    /// The SMS scenario again, the replies coming from an OpenAI-compatible server as streamed
    /// events: the loop, the HTTP backend and the parser together.
    @Test func smsScenarioThroughAFakeServer() async throws {
        let server = try FakeOpenAIServer { _, n in
            n <= SMSScenario.replies.count
                ? .events(FakeOpenAIServer.chunks(SMSScenario.replies[n - 1], pieceLength: 5))
                : .json(status: 500, body: "no more")
        }
        let backend = OpenAIBackend(
            configuration: .init(
                baseURL: server.baseURL, model: "autoglm-phone-9b-multilingual",
                imageUpload: .jpeg(quality: 85), maxAttempts: 1))
        let phone = FakePhone()
        let outcome = await agent(
            phone, backend, operator: PolicyOperator(sensitive: .allow),
            shortcuts: try SMSScenario.shortcuts()
        ).run(task: SMSScenario.task)
        try await backend.shutdown()
        try await server.stop()
        #expect(outcome.status == .finished)
        #expect(await phone.log.last == "tap 989 2270")
        // Every request carried exactly one image, on its last message.
        for r in server.requests {
            let messages = try #require(r.json?["messages"] as? [[String: Any]])
            let withImage = messages.enumerated().filter { ($0.element["content"] as? [[String: Any]]) != nil }.map(\.offset)
            #expect(withImage == [messages.count - 1])
        }
        #expect(server.requests.count == 4)
    }
}

/// The text budget follows a backend's smaller context, leaving room for the reply and the image.
@Suite struct ContextBudgetTests {
    struct SmallModel: ModelBackend {
        let contextLength: Int?
        var description: String { "small" }
        func complete(_ request: ModelRequest, onText: (@Sendable (String) -> Void)?) async throws -> ModelReply {
            ModelReply(text: "", timings: ModelTimings(firstText: nil, total: 0))
        }
    }

    func budget(context: Int?, maxTokens: Int = 3000) -> Int {
        var configuration = AgentConfiguration()
        configuration.sampling.maxTokens = maxTokens
        return Agent(
            phone: FakePhone(), backend: SmallModel(contextLength: context), operator: PolicyOperator(sensitive: .deny),
            configuration: configuration
        ).textBudget
    }

    @Test func theBudgetFitsTheModelsContext() {
        #expect(budget(context: nil) == 19_000, "unknown context: the configured budget")
        #expect(budget(context: 65_536) == 19_000, "GLM-4.1V's 64k: the configured budget")
        #expect(budget(context: 8_192) == 8_192 - 2_048 - 1_024)
        #expect(budget(context: 8_192, maxTokens: 500) == 8_192 - 500 - 1_024)
        #expect(budget(context: 256) == 256 - 64 - 32)
    }
}
