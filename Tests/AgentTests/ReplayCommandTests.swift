import Foundation
import PhoneRig
import TetherTestSupport
import Testing
import Trajectory
import VirtualPhone

/// `tether replay`, the built executable: a recording whose sixth step no longer matches is
/// handed to a model (a fake OpenAI-compatible server) that finishes the task; the exit status,
/// the lines, the task check and the merged episode are checked.
@Suite(.serialized) struct ReplayCommandTests {
    @Test func aDivergenceIsHandedToTheModelAndTheTaskPasses() async throws {
        guard tetherIsBuilt() else { return }
        let task = "messages-bob-number-to-alice"
        let scratch = TemporaryDirectory()
        // The recording, with step 6's element (the Messages icon) renamed so it is not found.
        let source = Paths.root.appendingPathComponent("Trajectories/bob-number-to-alice")
        let copy = scratch.url.appendingPathComponent("recording")
        try FileManager.default.copyItem(at: source, to: copy)
        let stepsURL = copy.appendingPathComponent("steps.jsonl")
        let lines = try String(contentsOf: stepsURL, encoding: .utf8).split(separator: "\n").map(String.init)
        var edited = lines
        edited[5] = lines[5].replacingOccurrences(of: "\"Messages\"", with: "\"Phonebook\"")
        #expect(edited[5] != lines[5])
        try (edited.joined(separator: "\n") + "\n").write(to: stepsURL, atomically: true, encoding: .utf8)

        let catalog = try sharedCatalog.get()
        let phone = try await VirtualPhoneServer.start(
            catalog: catalog, options: .init(profile: "pixel-7", seed: 1, port: 0, task: try #require(catalog.task(task))))
        let replies = [
            "<think>I text Alice Bob's number.</think>\n<answer>do(action=\"Shortcut\", name=\"sms_compose\", number=\"+1 555 0101\", body=\"Bob Martin's number: +1 555 0102\")</answer>",
            "<think>Send it.</think>\n<answer>do(action=\"Tap\", element=[500,385], message=\"Send the text\")</answer>",
            "<answer>finish(message=\"Sent.\")</answer>"
        ]
        let model = try FakeOpenAIServer { _, n in
            n <= replies.count
                ? .events(FakeOpenAIServer.chunks(replies[n - 1], pieceLength: 9))
                : .json(status: 500, body: #"{"error":{"message":"no more replies"}}"#)
        }
        let merged = scratch.url.appendingPathComponent("merged")
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = scratch.path
        env["ANDROID_ADB_SERVER_PORT"] = "1"
        env.removeValue(forKey: "ANDROID_SERIAL")
        let base = [tetherExecutable, "replay", copy.path, "--connect", "127.0.0.1:\(phone.port)", "--devices", Paths.root.appendingPathComponent("Devices").path]
        let noModel = try await TetherTestSupport.run(base + ["--on-divergence", "agent"], environment: env, timeout: 60)
        let result = try await TetherTestSupport.run(
            base + [
                "--on-divergence", "agent", "--endpoint", model.baseURL, "--model-name", "autoglm-phone-9b", "--api-key", "sk",
                "--on-sensitive", "allow", "--record", merged.path, "--task", task
            ], environment: env, timeout: 180)
        try await model.stop()
        await phone.stop()

        #expect(noModel.status != 0 && noModel.stderrText.contains("needs a model"), "\(noModel.stderrText)")
        #expect(result.status == 0, "\(result.stdoutText)\n\(result.stderrText)")
        #expect(result.stdoutText.contains("6  diverged: "), "\(result.stdoutText)")
        #expect(result.stdoutText.contains("handing over to the agent after 5 replayed steps"))
        #expect(result.stdoutText.contains("check \(task): PASS"))
        let episode = try Episode(contentsOf: merged)
        #expect(episode.steps.count == 8)
        #expect(episode.steps.filter { $0.source == "replay" }.count == 5)
        #expect(episode.info.outcome.status == .finished)
    }
}
