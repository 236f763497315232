import Foundation
import Imaging
import Inference
import TetherTestSupport
import Testing
import Trajectory
@testable import Agent

@Suite(.serialized) struct ExportAutoGLMTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A real run on the virtual phone (the two-app task, one unreadable reply among the others,
    /// a budget small enough to trim the history), exported: each sample's messages are the
    /// request the backend received, image and all, and Jinja2 renders them with a GLM-4.1V-style
    /// template to the very prompt `ChatFormat` makes of that request.
    @Test func samplesAreWhatTheAgentSentAndRenderAsTheModelSawThem() async throws {
        let rig = try await VPhoneRig.start()
        var replies = BobToAlice.replies
        replies.insert("I am not sure what to do here.", at: 2)
        let backend = ScriptedBackend(replies: replies)
        let scratch = TemporaryDirectory()
        let dir = scratch.url.appendingPathComponent("bob-to-alice")
        let budget = 1_000
        let agent = Agent(
            phone: rig.control, backend: backend, operator: PolicyOperator(sensitive: .allow),
            shortcuts: try SMSScenario.shortcuts(),
            configuration: AgentConfiguration(
                language: .english, maxSteps: 12, contextBudget: budget, timeZone: TimeZone(identifier: "UTC") ?? .current),
            recordDirectory: dir, sleep: { _ in })
        let outcome = await agent.run(task: BobToAlice.instruction)
        await rig.stop()
        #expect(outcome.status == .finished, "\(outcome.message)")
        let requests = await backend.requests
        #expect(requests.count == 7)

        let episode = try Episode(contentsOf: dir)
        var folder = try ExportFolder(scratch.url.appendingPathComponent("out"))
        let summary = try await AutoGLMExport(contextBudget: budget).export([episode], to: &folder)
        #expect(summary == .init(episodes: 1, samples: 6, skipped: 1, described: 0))
        let samples = try Self.read(folder.url)
        #expect(samples.map(\.step) == [1, 2, 4, 5, 6, 7], "the unreadable step is not a sample")
        #expect(samples.allSatisfy { $0.source == .agent })
        #expect(
            samples[0].messages.last?.content
                == #"<think>I need Bob Martin's phone number first. It is in Contacts, so I open the Contacts app.</think><answer>do(action="Launch", app="Contacts")</answer>"#
        )
        #expect((requests.last?.messages.count ?? 0) < 1 + 7 + 6, "the budget trimmed the history")

        for sample in samples {
            let request = requests[sample.step - 1]
            let sent = sample.messages.dropLast()
            #expect(sent.count == request.messages.count, "step \(sample.step)")
            for (exported, message) in zip(sent, request.messages) {
                #expect(exported.role == message.role.rawValue)
                let tag = message.image == nil ? "" : AutoGLMExport.imageTag + "\n"
                #expect(exported.content == tag + message.text, "step \(sample.step)")
            }
            #expect(sample.images.count == 1)
            let file = try Data(contentsOf: folder.url.appendingPathComponent(sample.images[0]))
            let image = try Image(encodedData: [UInt8](file))
            #expect(image == request.messages.last?.image, "step \(sample.step): the screenshot the model saw")
        }

        // The independent reader: Python's json and Jinja2.
        let rendered = try await Self.check(folder.url)
        #expect(rendered.count == samples.count)
        for sample in samples {
            let request = requests[sample.step - 1]
            var chat = request.messages.map {
                ChatMessage(role: ChatMessage.Role(rawValue: $0.role.rawValue) ?? .user, text: $0.text, imageCount: $0.image == nil ? 0 : 1)
            }
            chat.append(.assistant(sample.messages.last?.content ?? ""))
            #expect(rendered[sample.id] == ChatFormat.render(chat, addGenerationPrompt: false), "sample \(sample.id)")
        }
    }

    /// A person's steps (no model text): empty thinking, or the describer's words, which also
    /// stay in the later steps' history.
    @Test func personsStepsHaveEmptyOrDescribedThinking() async throws {
        let scratch = TemporaryDirectory()
        let dir = scratch.url.appendingPathComponent("person")
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        let writer = try EpisodeWriter(
            directory: dir,
            info: EpisodeInfo(
                task: "Open Bob's contact", startedAt: start, language: .english, backend: "a person",
                sampling: .autoGLM, systemPrompt: "SYS"))
        let actions: [(String, Action)] = [
            ("System Home", .launch(app: "Contacts")), ("Contacts", .tap(GridPoint(x: 280, y: 465), sensitiveMessage: nil))
        ]
        for (i, (app, action)) in actions.enumerated() {
            try await writer.record(
                StepRecord(step: i + 1, startedAt: start, currentApp: app, modelText: "", action: action),
                screen: try Image(width: 40, height: 80, fill: i == 0 ? .blue : .white))
        }
        try await writer.finish(Outcome(status: .finished, message: "", steps: 2))
        let episode = try Episode(contentsOf: dir)

        var plain = try ExportFolder(scratch.url.appendingPathComponent("plain"))
        #expect(try await AutoGLMExport().export([episode], to: &plain).samples == 2)
        let bare = try Self.read(plain.url)
        #expect(bare.map(\.source) == [.human, .human])
        #expect(bare[0].messages.last?.content == #"<think></think><answer>do(action="Launch", app="Contacts")</answer>"#)
        #expect(bare[1].messages.map(\.role) == ["system", "user", "assistant", "user", "assistant"])
        #expect(bare[1].messages[1].content == "Open Bob's contact\n\n{\"current_app\": \"System Home\"}", "older turns lose their image")
        #expect(bare[1].messages[3].content == "<image>\n** Screen Info **\n\n{\"current_app\": \"Contacts\"}")

        let model = ScriptedBackend(replies: [
            "<think>ignored</think><answer>The phone shows the home screen; Bob's number is in Contacts, so I open it.</answer>",
            "Bob Martin is in the list, so I tap his row."
        ])
        var described = try ExportFolder(scratch.url.appendingPathComponent("described"))
        let summary = try await AutoGLMExport(describer: StepDescriber(backend: model)).export([episode], to: &described)
        #expect(summary.described == 2)
        let samples = try Self.read(described.url)
        let first = "<think>The phone shows the home screen; Bob's number is in Contacts, so I open it.</think><answer>do(action=\"Launch\", app=\"Contacts\")</answer>"
        #expect(samples[0].messages.last?.content == first)
        #expect(samples[1].messages[2].content == first, "the described reply stays in the history")
        #expect(samples[1].messages.last?.content == #"<think>Bob Martin is in the list, so I tap his row.</think><answer>do(action="Tap", element=[280,465])</answer>"#)
        let asked = await model.requests
        #expect(asked.count == 2)
        #expect(asked[1].messages.last?.image?.width == 40, "the describer sees the screen")
        #expect(asked[1].messages.last?.text.contains(#"do(action="Tap", element=[280,465])"#) == true)
        #expect(asked[1].messages.last?.text.contains("Open Bob's contact") == true)
        _ = try await Self.check(described.url)
    }

    /// A person's demonstration from Trajectories/ (no system prompt recorded, JPEG screens).
    @Test func exportsARecordedDemonstration() async throws {
        let episode = try Episode(contentsOf: Self.repository.appendingPathComponent("Trajectories/bob-number-to-alice"))
        let scratch = TemporaryDirectory()
        var folder = try ExportFolder(scratch.url.appendingPathComponent("out"))
        let summary = try await AutoGLMExport().export([episode], to: &folder)
        #expect(summary.samples == episode.steps.count && summary.skipped == 0)
        let samples = try Self.read(folder.url)
        #expect(samples.allSatisfy { $0.source == .human })
        let system = SystemPrompt(language: .english, date: episode.info.startedAt).text
        #expect(samples.allSatisfy { $0.messages.first?.content == system }, "the agent's built-in prompt")
        #expect(samples[0].messages[1].content == "<image>\n\(episode.info.task)\n\n{\"current_app\": \"System Home\"}")
        #expect(samples[0].messages.last?.content == "<think></think><answer>\(episode.steps[0].action ?? "?")</answer>")
        #expect(samples[0].images == ["images/bob-number-to-alice/step-0001.jpg"])
        #expect(samples.last?.messages.count == 2 * episode.steps.count + 1)
        let rendered = try await Self.check(folder.url)
        #expect(rendered.count == episode.steps.count)
    }

    /// The budget is counted with the counter given (a run's own tokenizer): with every text
    /// counted long, old exchanges go as the agent drops them, the task's turn stays.
    @Test func trimsWithTheCounterGiven() async throws {
        struct Long: TokenCounter {
            func count(_ text: String) -> Int { text.hasPrefix("<think>") ? 50 : 10 }
        }
        let episode = try Episode(contentsOf: Self.repository.appendingPathComponent("Trajectories/dark-mode"))
        let full = try await AutoGLMExport().samples(for: episode, name: "d").samples
        let trimmed = try await AutoGLMExport(contextBudget: 100, counter: Long()).samples(for: episode, name: "d").samples
        #expect(full.last?.messages.count == 9)
        let last = try #require(trimmed.last?.messages)
        #expect(last.count < 9, "\(last.map(\.content))")
        #expect(last[1].content.hasPrefix("Switch the phone to dark theme."), "the task's turn stays")
        #expect(last.last == full.last?.messages.last, "the answer to learn is the same")
    }

    static func read(_ folder: URL) throws -> [AutoGLMExport.Sample] {
        let text = try String(contentsOf: folder.appendingPathComponent("samples.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(AutoGLMExport.Sample.self, from: Data($0.utf8)) }
    }

    /// Scripts/export-check autoglm: the samples as Jinja2 rendered them, by id.
    static func check(_ folder: URL) async throws -> [String: String] {
        let venv = try await run([repository.appendingPathComponent("Scripts/peer-venv").path], timeout: 900)
        try #require(venv.status == 0, "Scripts/peer-venv failed: \(venv.stderrText)")
        let python = venv.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        let result = try await run([python, repository.appendingPathComponent("Scripts/export-check").path, "autoglm", folder.path])
        #expect(result.status == 0, "export-check: \(result.stderrText)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdoutText.utf8)) as? [String: Any]
        return try #require(object?["rendered"] as? [String: String])
    }
}
