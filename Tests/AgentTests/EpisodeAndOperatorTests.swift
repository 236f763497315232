import Foundation
import Imaging
import Testing
@testable import Agent

func temporaryDirectory() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("tether-agent-tests-\(UUID().uuidString)")
}

@Suite struct EpisodeRecorderTests {
    @Test func writesTheDocumentedLayoutAndReadsItBack() async throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let start = Date(timeIntervalSince1970: 1_772_700_000.25)
        let info = EpisodeInfo(task: "Open Wi-Fi settings", startedAt: start, language: .english,
                               backend: "scripted (2 prepared replies, no model)", sampling: .autoGLM,
                               device: .init(serial: "emulator-5554"), systemPrompt: "SYS")
        let rec = try EpisodeRecorder(directory: dir, info: info)
        let screen = try Image(width: 10, height: 20, fill: .green)
        let written = try await rec.record(StepRecord(
            step: 1, startedAt: start, currentApp: "System Home",
            modelText: "<think>t</think><answer>do(action=\"Shortcut\", name=\"wifi_settings\")</answer>", thinking: "t",
            action: .shortcut(name: "wifi_settings", arguments: [:]), result: .init(ok: true, message: "started"),
            timings: StepTimings(capture: 0.1, model: 2, firstText: 0.5, act: 0.2, settle: 0.3)), screen: screen)
        #expect(written.screen == "screens/step-0001.png")
        try await rec.record(StepRecord(step: 2, startedAt: start, currentApp: "Settings", modelText: "garbage",
                                        parseError: "no action"), screen: nil)
        try await rec.finish(Outcome(status: .finished, message: "done", steps: 2), at: start.addingTimeInterval(5))

        // The files a person or another tool reads.
        let episode = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("episode.json"))) as? [String: Any]
        #expect(episode?["format"] as? Int == 1)
        #expect(episode?["started_at"] as? String == "2026-03-05T08:40:00.250Z")
        #expect((episode?["outcome"] as? [String: Any])?["status"] as? String == "finished")
        let lines = try String(contentsOf: dir.appendingPathComponent("steps.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(first?["action"] as? String == #"do(action="Shortcut", name="wifi_settings")"#)
        #expect(first?["action_name"] as? String == "Shortcut")
        #expect(first?["screen"] as? String == "screens/step-0001.png")
        #expect((first?["timings"] as? [String: Any])?["first_text"] as? Double == 0.5)
        let png = try Image(encodedData: [UInt8](Data(contentsOf: dir.appendingPathComponent("screens/step-0001.png"))))
        #expect(png == screen)

        let back = try EpisodeRecorder.read(directory: dir)
        #expect(back.info.outcome == Outcome(status: .finished, message: "done", steps: 2))
        #expect(back.steps.count == 2)
        #expect(back.steps[1].parseError == "no action")
        // The recorded action line reads back to the action.
        #expect(try ActionParser.parse(back.steps[0].action ?? "").action == .shortcut(name: "wifi_settings", arguments: [:]))
    }

    @Test func refusesAFolderInUse() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: dir.appendingPathComponent("other"))
        let info = EpisodeInfo(task: "t", startedAt: Date(), language: .chinese, backend: "b", sampling: .autoGLM, systemPrompt: "")
        #expect(throws: RecorderError.self) { try EpisodeRecorder(directory: dir, info: info) }
    }
}

@Suite struct OperatorPolicyTests {
    let confirm = ConfirmationRequest(message: "Send the SMS", task: "t", step: 3)
    let takeOver = TakeOverRequest(message: "Log in", task: "t", step: 3)
    let interact = InteractionRequest(context: "two Alices", task: "t", step: 3)

    @Test func unattendedPolicies() async {
        #expect(await PolicyOperator(sensitive: .allow).confirm(confirm) == .approve)
        guard case .deny = await PolicyOperator(sensitive: .deny).confirm(confirm) else { Issue.record("not denied"); return }
        guard case .unavailable = await PolicyOperator(sensitive: .ask).confirm(confirm) else { Issue.record("asked nobody"); return }
        guard case .unavailable = await PolicyOperator(sensitive: .allow).takeOver(takeOver) else { Issue.record("take over"); return }
        guard case .unavailable = await PolicyOperator(sensitive: .allow).interact(interact) else { Issue.record("interact"); return }
    }

    @Test func askGoesToThePerson() async {
        let person = ScriptedOperator(decisions: [.deny(reason: "not now")], takeOvers: [.done(note: nil)],
                                      answers: [.answer("the second one")])
        let op = PolicyOperator(sensitive: .ask, interactive: person)
        #expect(await op.confirm(confirm) == .deny(reason: "not now"))
        #expect(await op.takeOver(takeOver) == .done(note: nil))
        #expect(await op.interact(interact) == .answer("the second one"))
        #expect(await person.confirmations == [confirm])
        // allow and deny never bother the person.
        _ = await PolicyOperator(sensitive: .allow, interactive: person).confirm(confirm)
        _ = await PolicyOperator(sensitive: .deny, interactive: person).confirm(confirm)
        #expect(await person.confirmations.count == 1)
    }
}
