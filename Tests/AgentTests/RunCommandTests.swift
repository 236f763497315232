import Trajectory
import Foundation
import TetherTestSupport
import PhoneRig
import Testing
import VirtualPhone
@testable import Agent

/// `tether run`, the built executable run as a user runs it: against a virtual phone served on
/// 127.0.0.1 and a fake OpenAI-compatible server, with the exit status, the live step lines, the
/// task check and the recorded episode checked.
@Suite(.serialized) struct RunCommandTests {
    struct Setup {
        let phone: VirtualPhoneServer
        let model: FakeOpenAIServer
        let home: TemporaryDirectory

        /// A virtual phone started for `task` (nil: with no task, in its profile's own state).
        static func start(task: String?, replies: [String]) async throws -> Setup {
            let catalog = try sharedCatalog.get()
            let definition = try task.map { try #require(catalog.task($0)) }
            let phone = try await VirtualPhoneServer.start(catalog: catalog, options: .init(profile: "pixel-7", seed: 1, port: 0, task: definition))
            let model = try FakeOpenAIServer { _, n in
                n <= replies.count
                    ? .events(FakeOpenAIServer.chunks(replies[n - 1], pieceLength: 9))
                    : .json(status: 500, body: #"{"error":{"message":"no more replies"}}"#)
            }
            return Setup(phone: phone, model: model, home: TemporaryDirectory())
        }

        /// `tether run` with the device and model flags filled in.
        func run(_ extra: [String]) async throws -> ProcessResult {
            var env = ProcessInfo.processInfo.environment
            env["HOME"] = home.path  // a fresh adb key, as on a new machine
            env["ANDROID_ADB_SERVER_PORT"] = "1"
            env.removeValue(forKey: "ANDROID_SERIAL")
            env.removeValue(forKey: "TETHER_API_KEY")
            let args =
                [
                    tetherExecutable, "run", "--connect", "127.0.0.1:\(phone.port)",
                    "--endpoint", model.baseURL, "--model-name", "autoglm-phone-9b", "--api-key", "sk-cli",
                    "--devices", Paths.root.appendingPathComponent("Devices").path, "--lang", "en"
                ] + extra
            return try await TetherTestSupport.run(args, environment: env, timeout: 180)
        }

        func stop() async throws {
            try await model.stop()
            await phone.stop()
        }
    }

    @Test func aFinishedTaskWhoseCheckPassesExitsZero() async throws {
        guard tetherIsBuilt() else { return }
        let setup = try await Setup.start(task: BobToAlice.task, replies: BobToAlice.replies)
        let record = setup.home.url.appendingPathComponent("episode")
        let result = try await setup.run(["--task", BobToAlice.task, "--on-sensitive", "allow", "--record", record.path])
        let requests = setup.model.requests
        try await setup.stop()

        #expect(result.status == 0, "\(result.stdoutText)\n\(result.stderrText)")
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        // One live line per step, numbered, with the action and its timings.
        let steps = lines.filter { $0.range(of: #"^ +\d+  "#, options: .regularExpression) != nil }
        #expect(steps.count == 6, "\(lines)")
        #expect(steps.first?.contains("Launch") == true && steps.first?.contains("capture") == true && steps.first?.contains("model") == true)
        #expect(steps.contains { $0.contains("Shortcut") && $0.contains("sms_compose") })
        #expect(steps.last?.contains("finish") == true)
        #expect(steps.first?.contains("tokens 1234 (1024 cached)") == true, "the server's usage on the step line")
        #expect(lines.contains("check \(BobToAlice.task): PASS"))
        #expect(lines.contains { $0.hasPrefix("finished after 6 steps") })
        // The served model was asked the way the flags said.
        #expect(requests.count == 6)
        #expect(requests.first?.header("Authorization") == "Bearer sk-cli")
        #expect(requests.first?.json?["model"] as? String == "autoglm-phone-9b")
        // The episode is on disk in the documented layout.
        let episode = try Episode(contentsOf: record)
        #expect(episode.info.outcome.status == .finished)
        #expect(episode.steps.count == 6)
        #expect(episode.steps.first?.tokens == StepTokens(prompt: 1234, completion: 56, reused: 1024), "the server's usage is recorded")
    }

    @Test func aFinishWithoutTheWorkDoneFailsTheCheckAndExitsOne() async throws {
        guard tetherIsBuilt() else { return }
        let lie = "<think>I think it is done.</think>\n<answer>finish(message=\"Sent.\")</answer>"
        let setup = try await Setup.start(task: BobToAlice.task, replies: [lie])
        let result = try await setup.run(["--task", BobToAlice.task, "--on-sensitive", "allow"])
        try await setup.stop()
        #expect(result.status == 1, "\(result.stdoutText)\n\(result.stderrText)")
        #expect(result.stdoutText.contains("finished after 1 step"))
        #expect(result.stdoutText.contains("check \(BobToAlice.task): FAIL"))
    }

    /// A phone not started for the task: `settings-wifi-on` starts with Wi-Fi off, this phone has
    /// it on, so a model that only says finish would pass. Refused before any model call.
    @Test func aPhoneNotInTheTasksInitialStateIsRefused() async throws {
        guard tetherIsBuilt() else { return }
        let lie = "<answer>finish(message=\"Wi-Fi is on.\")</answer>"
        let setup = try await Setup.start(task: nil, replies: [lie])
        let result = try await setup.run(["--task", "settings-wifi-on"])
        let requests = setup.model.requests
        try await setup.stop()
        #expect(result.status != 0)
        #expect(result.stderrText.contains("not in the initial state of task settings-wifi-on"), "\(result.stderrText)")
        #expect(result.stderrText.contains("com.android.settings wifi is true"), "\(result.stderrText)")
        #expect(result.stderrText.contains("tether vphone --task settings-wifi-on"))
        #expect(requests.isEmpty, "the model was asked although the run was refused")
    }

    /// A task whose check holds already (Wi-Fi is off on a phone set up for `settings-wifi-on`,
    /// and `settings-wifi-off` checks for off): refused, since nothing the run did could show.
    @Test func aTaskWhoseCheckAlreadyPassesIsRefused() async throws {
        guard tetherIsBuilt() else { return }
        let setup = try await Setup.start(task: "settings-wifi-on", replies: ["<answer>finish(message=\"Off.\")</answer>"])
        let refused = try await setup.run(["--task", "settings-wifi-off"])
        let requests = setup.model.requests
        #expect(refused.status != 0)
        #expect(refused.stderrText.contains("already passes before the first step"), "\(refused.stderrText)")
        #expect(requests.isEmpty)
        // The task the phone was started for runs (and fails its check: the model only said finish).
        let run = try await setup.run(["--task", "settings-wifi-on"])
        try await setup.stop()
        #expect(run.status == 1, "\(run.stdoutText)\n\(run.stderrText)")
        #expect(run.stdoutText.contains("check settings-wifi-on: FAIL"))
    }

    /// A seeded task runs as the instance of the seed its phone was served with: the instruction
    /// and the check carry that seed's number; without --seed it is refused before any model call.
    @Test func aSeededTaskRunsAsTheInstanceOfItsSeed() async throws {
        guard tetherIsBuilt() else { return }
        let catalog = try sharedCatalog.get()
        let template = try #require(catalog.task("contacts-add-frank"))
        let instance = template.instance(seed: 7)
        #expect(instance.instruction != template.instruction)
        let phone = try await VirtualPhoneServer.start(catalog: catalog, options: .init(profile: "pixel-7", seed: 7, port: 0, task: instance))
        let model = try FakeOpenAIServer { _, _ in .events(FakeOpenAIServer.chunks("<answer>finish(message=\"Added.\")</answer>", pieceLength: 9)) }
        let setup = Setup(phone: phone, model: model, home: TemporaryDirectory())
        let unseeded = try await setup.run(["--task", template.id])
        let asked = setup.model.requests.count
        let seeded = try await setup.run(["--task", template.id, "--seed", "7"])
        let noTask = try await setup.run(["--seed", "7", "add a contact"])
        try await setup.stop()
        #expect(unseeded.status != 0)
        #expect(unseeded.stderrText.contains("without a seed"), "\(unseeded.stderrText)")
        #expect(asked == 0, "the model was asked although the run was refused")
        #expect(seeded.status == 1, "\(seeded.stdoutText)\n\(seeded.stderrText)")
        #expect(seeded.stdoutText.contains(instance.instruction), "\(seeded.stdoutText)")
        #expect(seeded.stdoutText.contains("check contacts-add-frank: FAIL"))
        #expect(!seeded.stdoutText.contains("{{"))
        #expect(noTask.status != 0 && noTask.stderrText.contains("--seed"), "\(noTask.stderrText)")
    }

    @Test func unreadableRepliesExitOneAndSaySo() async throws {
        guard tetherIsBuilt() else { return }
        let setup = try await Setup.start(task: BobToAlice.task, replies: ["The task is complete.", "Done!"])
        let result = try await setup.run([BobToAlice.instruction, "--on-sensitive", "allow"])
        try await setup.stop()
        #expect(result.status == 1)
        #expect(result.stdoutText.contains("unreadable reply"))
        #expect(result.stdoutText.contains("failed after"))
    }

    @Test func aSensitiveTapUnattendedWithAskStopsTheRun() async throws {
        guard tetherIsBuilt() else { return }
        let setup = try await Setup.start(task: BobToAlice.task, replies: BobToAlice.replies)
        // stdin is /dev/null: nobody can answer, so `ask` stops at the send.
        let result = try await setup.run(["--task", BobToAlice.task, "--on-sensitive", "ask"])
        let asked = setup.model.requests.count
        try await setup.stop()
        #expect(result.status == 1)
        #expect(result.stdoutText.contains("(unattended)"))
        #expect(result.stdoutText.contains("stopped at a sensitive action"), "\(result.stdoutText)")
        #expect(result.stdoutText.contains("check \(BobToAlice.task): FAIL"))
        #expect(asked == 5)
    }

    /// `--model DIR`: the in-process engine (the tiny random-weight checkpoint of the Inference
    /// tests), through the CLI. Its replies are noise, so the run fails as unreadable — but the
    /// checkpoint loads, screenshots go through its image processor and vision tower, and the
    /// second request reuses the first one's KV cache up to the old screenshot.
    @Test func anInProcessModelRunsAndReusesThePrefix() async throws {
        guard tetherIsBuilt() else { return }
        let catalog = try sharedCatalog.get()
        let phone = try await VirtualPhoneServer.start(catalog: catalog, options: .init(profile: "pixel-7", seed: 1, port: 0))
        let home = TemporaryDirectory()
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = home.path
        env["ANDROID_ADB_SERVER_PORT"] = "1"
        let tiny = Paths.root.appendingPathComponent("Tests/InferenceTests/Fixtures/tiny").path
        // Its context holds 256 tokens: a one-line system prompt and short replies fit.
        let prompt = home.url.appendingPathComponent("system.txt")
        try "Act on the phone.".write(to: prompt, atomically: true, encoding: .utf8)
        let result = try await TetherTestSupport.run(
            [
                tetherExecutable, "run", "Turn off Wi-Fi", "--connect", "127.0.0.1:\(phone.port)", "--model", tiny,
                "--lang", "en", "--max-steps", "3", "--max-tokens", "8", "--system-prompt", prompt.path,
                "--devices", Paths.root.appendingPathComponent("Devices").path
            ],
            environment: env, timeout: 300)
        await phone.stop()
        #expect(result.status == 1, "\(result.stdoutText)\n\(result.stderrText)")
        #expect(result.stdoutText.contains("in-process"))
        let steps = result.stdoutText.split(separator: "\n").filter { $0.range(of: #"^ +\d+  "#, options: .regularExpression) != nil }
        #expect(steps.count == 2, "asked again once, then stopped: \(steps)")
        #expect(steps.allSatisfy { $0.contains("unreadable reply") })
        #expect(steps.first?.contains("cached") == false)
        #expect(steps.last?.contains("cached") == true, "the second request reused the first's prefix: \(steps.last ?? "")")
    }

    @Test func withoutAModelItSaysWhatToProvide() async throws {
        guard tetherIsBuilt() else { return }
        let home = TemporaryDirectory()
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = home.path
        let result = try await TetherTestSupport.run([tetherExecutable, "run", "Turn off Wi-Fi", "--connect", "127.0.0.1:1"], environment: env)
        #expect(result.status == 64, "a usage error")
        #expect(result.stderrText.contains("--model DIR"))
        #expect(result.stderrText.contains("--endpoint URL"))
    }

    @Test func aMalformedEndpointIsAUsageError() async throws {
        guard tetherIsBuilt() else { return }
        for bad in ["127.0.0.1:8000", "localhost", "ftp://host/v1", "http://"] {
            let result = try await TetherTestSupport.run([tetherExecutable, "run", "x", "--connect", "127.0.0.1:1", "--endpoint", bad])
            #expect(result.status == 64, "\(bad)")
            #expect(result.stderrText.contains("--endpoint must be a URL with a scheme and a host"), "\(bad): \(result.stderrText)")
        }
    }

    /// Nothing listens at the endpoint: one short message, before any step, not 33 s of retries.
    @Test func aRefusedEndpointFailsAtOnceWithOneMessage() async throws {
        guard tetherIsBuilt() else { return }
        let setup = try await Setup.start(task: nil, replies: [])
        let dead = try FakeOpenAIServer { _, _ in .hangUp }
        let url = dead.baseURL
        try await dead.stop()
        let args = [
            tetherExecutable, "run", "Turn off Wi-Fi", "--connect", "127.0.0.1:\(setup.phone.port)", "--endpoint", url,
            "--devices", Paths.root.appendingPathComponent("Devices").path
        ]
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = setup.home.path
        let result = try await TetherTestSupport.run(args, environment: env, timeout: 60)
        try await setup.stop()
        #expect(result.status == 1)
        #expect(result.stderrText.contains("could not reach the model server at \(url): connection refused"), "\(result.stderrText)")
        #expect(!result.stdoutText.contains("  1  "), "no step was taken")
    }

    @Test func aNonEmptyRecordFolderIsRefusedBeforeAnything() async throws {
        guard tetherIsBuilt() else { return }
        let setup = try await Setup.start(task: nil, replies: ["<answer>finish(message=\"x\")</answer>"])
        let folder = setup.home.url.appendingPathComponent("busy")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        let result = try await setup.run(["Turn off Wi-Fi", "--record", folder.path])
        let requests = setup.model.requests
        try await setup.stop()
        #expect(result.status == 64)
        #expect(result.stderrText.contains("is not empty; refused"), "\(result.stderrText)")
        #expect(requests.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["notes.txt"])
    }

    @Test func aMissingTokenizerIsAClearError() async throws {
        guard tetherIsBuilt() else { return }
        let setup = try await Setup.start(task: BobToAlice.task, replies: BobToAlice.replies)
        let result = try await setup.run(["--task", BobToAlice.task, "--tokenizer", setup.home.url.appendingPathComponent("nowhere").path])
        let asked = setup.model.requests.count
        try await setup.stop()
        #expect(result.status != 0)
        #expect(result.stderrText.contains("cannot read the tokenizer"), "\(result.stderrText)")
        #expect(asked == 0, "nothing was sent to the model")
    }
}
