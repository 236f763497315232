import Trajectory
import Foundation
import Imaging
import Testing
@testable import Agent

@Suite struct SystemPromptTests {
    // 2026-03-05 23:30 UTC is Friday 6 March in Shanghai.
    let moment = Date(timeIntervalSince1970: 1_772_753_400)
    let shanghai = TimeZone(identifier: "Asia/Shanghai") ?? .current
    let utc = TimeZone(identifier: "UTC") ?? .current

    @Test func dateIsComputedForTheTaskInItsTimeZone() {
        #expect(SystemPrompt(language: .chinese, date: moment, timeZone: shanghai).dateLine == "2026年03月06日 星期五")
        #expect(SystemPrompt(language: .english, date: moment, timeZone: utc).dateLine == "Thursday, 5 March 2026")
        #expect(SystemPrompt(language: .english, date: moment, timeZone: utc).text.hasPrefix("Today is Thursday, 5 March 2026."))
    }

    /// The call forms AutoGLM-Phone-9B was trained to write (research/open-autoglm.md), written
    /// out here rather than read back from `Action.specs`, which the prompt is built from.
    static let trainedCalls = [
        #"do(action="Launch", app="#, #"do(action="Tap", element=[x,y])"#, #"do(action="Tap", element=[x,y], message="#,
        #"do(action="Type", text="#, #"do(action="Type_Name", text="#, #"do(action="Swipe", start=[x1,y1], end=[x2,y2])"#,
        #"do(action="Long Press", element=[x,y])"#, #"do(action="Double Tap", element=[x,y])"#, #"do(action="Back")"#,
        #"do(action="Home")"#, #"do(action="Wait", duration="#, #"do(action="Take_over", message="#,
        #"do(action="Interact")"#, #"do(action="Note", message="#, #"do(action="Call_API", instruction="#, #"finish(message="#
    ]

    @Test func bothLanguagesDescribeTheTrainedGrammarAndGrid() {
        for lang in PromptLanguage.allCases {
            let text = SystemPrompt(language: lang, date: moment).text
            for call in Self.trainedCalls { #expect(text.contains(call), "\(lang): \(call)") }
            // Every kind but Shortcut is offered, each once (Tap twice: plain and sensitive).
            for kind in ActionKind.allCases where kind != .shortcut && kind != .finish {
                let count = text.components(separatedBy: "do(action=\"\(kind.rawValue)\"").count - 1
                #expect(count == (kind == .tap ? 2 : 1), "\(lang): \(kind.rawValue) described \(count) times")
            }
            #expect(text.contains("(0,0)") && text.contains("(999,999)"))
            #expect(text.contains("<think>") && text.contains("<answer>"))
            #expect(!text.contains("Shortcut"), "no shortcuts on offer, no Shortcut action")
        }
    }

    @Test func aParseErrorTellsTheModelWhatToFixInItsLanguage() {
        do {
            _ = try ActionParser.parse(#"do(action="Scroll", direction="down")"#)
            Issue.record("parsed")
        } catch {
            #expect(error.correction(in: .english).contains(error.reason))
            #expect(error.correction(in: .english).contains("exactly one action"))
            #expect(error.correction(in: .chinese).contains(error.reason))
            #expect(error.correction(in: .chinese).contains("只写一个"))
        }
    }

    @Test func appsAndShortcutsOnOffer() throws {
        let lib = try ShortcutLibrary.load(directory: Paths.shortcuts)
        let apps = [
            AppLabel(package: "com.android.messaging", label: "Messages"),
            AppLabel(package: "com.android.contacts", label: "Contacts"),
            AppLabel(package: "com.example.dup", label: "Contacts")
        ]
        let offered = lib.offered(installedPackages: Set(apps.map(\.package)))
        let p = SystemPrompt(language: .english, date: moment, apps: apps, shortcuts: offered)
        #expect(p.appsText == "Messages, Contacts")
        #expect(p.text.contains("Messages, Contacts"))
        #expect(p.text.contains(Action.shortcutSpec.syntax))
        #expect(p.text.contains("- sms_compose(number: phone, body: text?) — Start a text message"))
        #expect(!p.text.contains("set_alarm"))
        let zh = SystemPrompt(language: .chinese, date: moment, apps: apps, shortcuts: offered)
        #expect(zh.appsText == "Messages、Contacts")
        #expect(zh.text.contains("新建一条发往指定号码的短信"))
    }

    @Test func templateFileFillsPlaceholders() {
        let p = SystemPrompt(
            language: .english, date: moment, timeZone: utc,
            apps: [AppLabel(package: "a", label: "Clock")])
        #expect(
            p.render(template: "Date: {{date}}\nApps: {{apps}}\n{{shortcuts}}|")
                == "Date: Thursday, 5 March 2026\nApps: Clock\n|")
    }
}

@Suite struct TranscriptTests {
    func screen() throws -> Image { try Image(width: 4, height: 8, fill: .white) }

    @Test func trainedLayout() throws {
        var t = Transcript(systemPrompt: "SYS", task: "Send Alice my address")
        t.addObservation(currentApp: "System Home")
        var req = t.request(image: try screen())
        #expect(req.messages.map(\.role) == [.system, .user])
        #expect(req.messages[1].text == "Send Alice my address\n\n{\"current_app\": \"System Home\"}")
        #expect(req.messages[1].image != nil)

        t.addReply(.parsed(thinking: "open it", answer: #"do(action="Launch", app="微信")"#))
        t.addObservation(currentApp: "微信", feedback: "App \"x\" \"is\" not installed")
        req = t.request(image: try screen())
        #expect(req.messages.map(\.role) == [.system, .user, .assistant, .user])
        #expect(req.messages[2].text == #"<think>open it</think><answer>do(action="Launch", app="微信")</answer>"#)
        #expect(req.messages[3].text == #"** Screen Info **"# + "\n\n" + #"{"current_app": "微信", "feedback": "App \"x\" \"is\" not installed"}"#)
        // Only the newest user turn carries a screenshot.
        #expect(req.messages[1].image == nil)
        #expect(req.messages[3].image != nil)
    }

    @Test func screenInfoIsValidJSON() throws {
        let info = Transcript.screenInfo(currentApp: "a\"b\\c\n\u{01}", feedback: "ok")
        let obj = try JSONSerialization.jsonObject(with: Data(info.utf8)) as? [String: String]
        #expect(obj == ["current_app": "a\"b\\c\n\u{01}", "feedback": "ok"])
    }

    /// Ten exchanges with long reasoning.
    func longTranscript() -> Transcript {
        var t = Transcript(systemPrompt: "SYS", task: "TASK")
        for i in 0..<10 {
            t.addObservation(currentApp: "App\(i)")
            t.addReply(.parsed(thinking: String(repeating: "r\(i) ", count: 100), answer: "do(action=\"Back\") #\(i)"))
        }
        t.addObservation(currentApp: "Last")
        return t
    }

    @Test func unlimitedBudgetKeepsEverything() {
        let msgs = longTranscript().request(image: nil).messages
        #expect(msgs.count == 1 + 2 * 10 + 1)
        #expect(msgs.filter { $0.role == .assistant }.allSatisfy { $0.text.contains("r") && $0.text.count > 200 })
    }

    @Test func trimmingDropsOldReasoningFirst() {
        let t = longTranscript()
        let counter = EstimatedTokenCounter()
        let full = t.request(image: nil).messages.reduce(0) { $0 + counter.count($1.text) }
        let msgs = t.request(image: nil, budget: full - 300).messages
        let assistants = msgs.filter { $0.role == .assistant }
        #expect(assistants.count == 10, "no exchange dropped yet")
        #expect(assistants[0].text == "<think></think><answer>do(action=\"Back\") #0</answer>")
        #expect(assistants.last?.text.hasPrefix("<think>r9 ") == true, "the newest keep their reasoning")
        #expect(msgs.reduce(0) { $0 + counter.count($1.text) } <= full - 300)
    }

    @Test func trimmingThenDropsOldExchangesKeepingTaskAndAlternation() {
        let t = longTranscript()
        let counter = EstimatedTokenCounter()
        let budget = 400
        let msgs = t.request(image: nil, budget: budget).messages
        #expect(msgs.reduce(0) { $0 + counter.count($1.text) } <= budget)
        #expect(msgs[0].role == .system)
        #expect(msgs[1].text.hasPrefix("TASK\n\n"), "the task stays")
        #expect(msgs.last?.text.contains("Last") == true)
        for (a, b) in zip(msgs.dropFirst(), msgs.dropFirst(2)) { #expect(a.role != b.role) }
        // The newest reply is still there, with its reasoning.
        #expect(msgs[msgs.count - 2].text.hasPrefix("<think>r9 "))
        #expect(msgs.count < 1 + 2 * 10 + 1)
    }
}

@Suite struct PromptDayTests {
    @Test func aDayIsReadOnlyAsYYYYMMDDOfARealDay() {
        #expect(PromptDay("2026-12-05")?.description == "2026-12-05")
        #expect(PromptDay("2024-02-29") != nil, "a leap day")
        for bad in ["2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-05", "26-12-05", "2026/12/05", "", "x", "2026-12-05T00", "２０２６-12-05"] {
            #expect(PromptDay(bad) == nil, "\(bad)")
        }
    }

    /// The day read in the prompt's own time zone: noon there, so the date line names that day in
    /// any zone from UTC−12 to UTC+14.
    @Test func theDayIsThatDayInEveryTimeZone() throws {
        let day = try #require(PromptDay("2026-12-05"))
        for zone in ["Pacific/Kiritimati", "Asia/Shanghai", "UTC", "America/Los_Angeles", "Etc/GMT+12"] {
            let tz = try #require(TimeZone(identifier: zone))
            #expect(SystemPrompt(language: .english, date: day.date(in: tz), timeZone: tz).dateLine == "Saturday, 5 December 2026", "\(zone)")
            #expect(SystemPrompt(language: .chinese, date: day.date(in: tz), timeZone: tz).dateLine == "2026年12月05日 星期六", "\(zone)")
        }
    }

    /// A run with `promptDay` (`--date`) sends that day, not the day it runs on.
    @Test func aRunsPromptGivesItsDay() async throws {
        let backend = ScriptedBackend(replies: [#"<answer>finish(message="ok")</answer>"#])
        var configuration = AgentConfiguration(language: .english, timeZone: TimeZone(identifier: "UTC") ?? .current)
        configuration.promptDay = PromptDay("2031-07-04")
        let run = Agent(
            phone: FakePhone(), backend: backend, operator: PolicyOperator(sensitive: .allow), shortcuts: .empty,
            configuration: configuration, recordDirectory: nil, onStep: { _ in }, sleep: { _ in })
        _ = await run.run(task: "t")
        let system = try #require(await backend.requests.first?.messages.first?.text)
        #expect(system.hasPrefix("Today is Friday, 4 July 2031."), "\(system.prefix(60))")
    }
}
