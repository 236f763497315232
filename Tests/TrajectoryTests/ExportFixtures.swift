import Foundation
import Imaging
import TetherTestSupport
import Testing
import Trajectory

/// Episodes written in the tests with `EpisodeWriter`, and the independent reader
/// (Scripts/export-check, run with the peers' python).
enum ExportFixtures {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A small model run on a 200×400 screen: Launch, Tap, Swipe (finger up), Type, Double Tap,
    /// Long Press, Back, Home, Wait, finish, each step on a screen of its own colour.
    static let replies: [(app: String, text: String)] = [
        ("System Home", #"<think>Open Contacts.</think><answer>do(action="Launch", app="Contacts")</answer>"#),
        ("Contacts", #"<think>Bob is in the list.</think><answer>do(action="Tap", element=[500,250])</answer>"#),
        ("Contacts", #"<think>Scroll down.</think><answer>do(action="Swipe", start=[500,800], end=[500,200])</answer>"#),
        ("Contacts", #"<think>Type the name.</think><answer>do(action="Type", text="Bob <Martin> & \"co\"")</answer>"#),
        ("Contacts", #"<think>Zoom.</think><answer>do(action="Double Tap", element=[100,900])</answer>"#),
        ("Contacts", #"<think>Menu.</think><answer>do(action="Long Press", element=[999,999])</answer>"#),
        ("Contacts", #"<think>Back.</think><answer>do(action="Back")</answer>"#),
        ("Contacts", #"<think>Home.</think><answer>do(action="Home")</answer>"#),
        ("System Home", #"<think>Wait.</think><answer>do(action="Wait", duration="2 seconds")</answer>"#),
        ("System Home", #"<think>Done.</think><answer>finish(message="done")</answer>"#)
    ]

    static let colors: [Color] = [.red, .green, .blue, .white, .black]

    /// Writes the episode into `directory` and returns it as read back.
    static func episode(in directory: URL, task: String = "Find Bob <b>&</b> call him") async throws -> Episode {
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        let writer = try EpisodeWriter(
            directory: directory,
            info: EpisodeInfo(
                task: task, startedAt: start, language: .english, backend: "scripted (10 prepared replies, no model)",
                sampling: .autoGLM, systemPrompt: "SYSTEM PROMPT"))
        for (index, reply) in replies.enumerated() {
            let parsed = try ActionParser.parse(reply.text)
            let screen = try Image(width: 200, height: 400, fill: colors[index % colors.count])
            try await writer.record(
                StepRecord(
                    step: index + 1, startedAt: start.addingTimeInterval(Double(index)), currentApp: reply.app,
                    modelText: reply.text, thinking: parsed.thinking, action: parsed.action,
                    result: .init(ok: true, message: "ok"),
                    timings: StepTimings(capture: 0.25, model: 1.5, firstText: 0.5, act: 0.125, settle: 0.1)),
                screen: screen)
        }
        try await writer.finish(Outcome(status: .finished, message: "done", steps: replies.count), at: start.addingTimeInterval(20))
        return try Episode(contentsOf: directory)
    }

    /// Runs Scripts/export-check and decodes its JSON; a failed check is a recorded issue.
    static func check(_ arguments: [String], timeout: TimeInterval = 120) async throws -> [String: Any] {
        let venv = try await run([repository.appendingPathComponent("Scripts/peer-venv").path], timeout: 900)
        try #require(venv.status == 0, "Scripts/peer-venv failed: \(venv.stderrText)")
        let python = venv.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        let result = try await run([python, repository.appendingPathComponent("Scripts/export-check").path] + arguments, timeout: timeout)
        #expect(result.status == 0, "export-check \(arguments): \(result.stderrText)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdoutText.utf8))
        return try #require(object as? [String: Any])
    }
}
