import Agent
import AndroidPhone
import Basics
import Flows
import Foundation
import PhoneRig
import TetherTestSupport
import Testing
import Trajectory
import VirtualPhone

/// The guard's consequences: a changed launcher, a step without a tree decided by the image,
/// the recorded pace scaled, and a divergence handed to an agent that finishes the task, with
/// both parts in one episode.
@Suite(.serialized) struct ReplayHandoverTests {
    let episode = repository.appendingPathComponent("Trajectories/bob-number-to-alice")
    let task = "messages-bob-number-to-alice"

    /// The launcher's apps in the reverse order: Contacts and Messages are elsewhere on the home screen.
    static func reversedLauncher(_ catalog: inout DeviceCatalog) {
        guard var launcher = catalog.apps["com.android.launcher3"], case .object(var state) = launcher.state,
            let home = state["home"]?.array
        else { return }
        state["home"] = .array(home.reversed())
        launcher.state = .object(state)
        catalog.apps["com.android.launcher3"] = launcher
    }

    @Test func replayAfterTheAppListChangedOrderIsReAimedAndPasses() async throws {
        let loaded = try Episode(contentsOf: episode)
        let lines = Locked<[String]>([])
        try await withPhoneRig(task: task, adjust: Self.reversedLauncher) { rig in
            let result = try await Replayer(phone: rig.phone).run(loaded) { line in lines.withLock { $0.append(line) } }
            #expect(result.divergence == nil, "\(lines.value)")
            let check = try await TaskChecker.check(try #require(rig.catalog.task(task)), on: rig.connection)
            #expect(check.passed, "\(check.reasons)")
        }
        // The first touch (Contacts on the home screen) had to move.
        #expect(lines.value.first?.hasPrefix("1  re-aimed") == true, "\(lines.value)")
    }

    /// A tap recorded without an element is decided by the screenshot around it: the same
    /// launcher matches; a launcher whose icons moved diverges instead of tapping another app.
    @Test func aStepWithoutATreeIsDecidedByTheImage() async throws {
        var loaded = try Episode(contentsOf: episode)
        loaded.steps[0].element = nil
        loaded.steps[0].uiTree = nil
        let same = Locked<[String]>([])
        try await withPhoneRig(task: task) { rig in
            _ = try await Replayer(phone: rig.phone).run(loaded) { line in same.withLock { $0.append(line) } }
        }
        #expect(same.value.first?.hasPrefix("1  matched (image, similarity") == true, "\(same.value)")
        try await withPhoneRig(task: task, adjust: Self.reversedLauncher) { rig in
            let result = try await Replayer(phone: rig.phone).run(loaded)
            #expect(result.completed == 0)
            #expect(result.divergence?.reason.contains("no longer looks as recorded") == true, "\(String(describing: result.divergence))")
        }
    }

    /// `speed` scales the person's gaps between steps; without it replay never waits.
    @Test func theRecordedPaceIsScaledBySpeed() async throws {
        let loaded = try Episode(contentsOf: episode)
        let asked = Locked<[Duration]>([])
        var gaps: [Double] = []
        for (a, b) in zip(loaded.steps, loaded.steps.dropFirst()) { gaps.append(max(0, min(b.startedAt.timeIntervalSince(a.startedAt) / 2, 60))) }
        try await withPhoneRig(task: task) { rig in
            var replayer = Replayer(phone: rig.phone)
            replayer.sleep = { d in asked.withLock { $0.append(d) } }
            _ = try await replayer.run(loaded)
            #expect(asked.value.isEmpty, "waited without --speed")
        }
        try await withPhoneRig(task: task) { rig in
            var replayer = Replayer(phone: rig.phone)
            replayer.speed = 2
            replayer.sleep = { d in asked.withLock { $0.append(d) } }
            _ = try await replayer.run(loaded)
        }
        let expected = gaps.filter { $0 > 0 }
        #expect(asked.value.count == expected.count)
        for (d, g) in zip(asked.value, expected) { #expect(abs(d / .seconds(1) - g) < 0.002, "\(d) for a gap of \(g)") }
    }

    /// Step 6 (the Messages icon) no longer matches: with `.agent` a scripted model texts Bob's
    /// number to Alice, the task's check passes, and the new episode holds the five replayed
    /// steps and the agent's three, numbered on, read back by the episode reader.
    @Test func aDivergenceHandedToTheAgentFinishesTheTaskInOneEpisode() async throws {
        var loaded = try Episode(contentsOf: episode)
        loaded.steps[5].element?.text = "Phonebook"
        loaded.steps[5].element?.contentDescription = "Phonebook"
        loaded.steps[5].element?.resourceId = ""
        loaded.steps[5].element?.className = "android.widget.Missing"
        let scratch = TemporaryDirectory()
        let out = scratch.url.appendingPathComponent("merged")
        let send = "Send the text with Bob Martin's number to Alice Chen"
        let backend = ScriptedBackend(replies: [
            "<think>Replay stopped before Messages. I text Alice Chen Bob's number with the sms_compose shortcut.</think>\n<answer>do(action=\"Shortcut\", name=\"sms_compose\", number=\"+1 555 0101\", body=\"Bob Martin's number: +1 555 0102\")</answer>",
            "<think>The message is filled in; I send it.</think>\n<answer>do(action=\"Tap\", element=[500,385], message=\"\(send)\")</answer>",
            "<think>Sent.</think>\n<answer>finish(message=\"Sent Bob's number to Alice.\")</answer>"
        ])
        let shortcuts = try ShortcutLibrary.load(directory: repository.appendingPathComponent("Devices/shortcuts").path)
        let report = try await withPhoneRig(profile: "pixel-7", task: task) { rig in
            let agent = Agent(
                phone: AndroidPhoneControl(phone: rig.phone), backend: backend, operator: PolicyOperator(sensitive: .allow),
                shortcuts: shortcuts, configuration: AgentConfiguration(language: .english, maxSteps: 6), sleep: { _ in })
            let guarded = GuardedReplay(replayer: Replayer(phone: rig.phone), onDivergence: .agent, agent: agent, recordDirectory: out)
            let report = try await guarded.run(loaded)
            let check = try await TaskChecker.check(try #require(rig.catalog.task(task)), on: rig.connection)
            #expect(check.passed, "\(check.reasons)")
            return report
        }
        #expect(report.replay.completed == 5)
        #expect(report.replay.divergence?.step == 6)
        #expect(report.agent?.status == .finished, "\(String(describing: report.agent))")
        #expect(report.completed)
        let told = try #require(await backend.requests.first?.messages.last?.text)
        #expect(told.contains("The first 5 steps were replayed from a person's recording"), "\(told)")
        #expect(told.contains("Phonebook"))

        let merged = try Episode(contentsOf: out)
        #expect(merged.info.source == "replay")
        #expect(merged.info.backend.contains(", then "), "\(merged.info.backend)")
        #expect(!merged.info.systemPrompt.isEmpty)
        #expect(merged.info.outcome.status == .finished)
        #expect(merged.steps.map(\.step) == Array(1...8))
        #expect(merged.steps.prefix(5).allSatisfy { StepSource($0, of: merged.info) == .replay })
        #expect(merged.steps.suffix(3).allSatisfy { StepSource($0, of: merged.info) == .agent })
        #expect(merged.steps.allSatisfy { $0.screen != nil })
        #expect(merged.steps[0].action == loaded.steps[0].action || merged.steps[0].result?.message.contains("re-aimed") == true)
    }

    /// With `.stop` and a record folder the new episode ends failed at the divergence.
    @Test func aStoppedReplayRecordsItsStepsAndWhy() async throws {
        var loaded = try Episode(contentsOf: episode)
        loaded.steps[2].gesture = nil
        loaded.steps[2].action = nil
        loaded.steps[3].element?.text = "Nobody Here"
        loaded.steps[3].element?.resourceId = ""
        loaded.steps[3].element?.contentDescription = "Nobody Here"
        loaded.steps[3].element?.className = "android.widget.Missing"
        let scratch = TemporaryDirectory()
        let out = scratch.url.appendingPathComponent("stopped")
        let report = try await withPhoneRig(task: task) { rig in
            try await GuardedReplay(replayer: Replayer(phone: rig.phone), recordDirectory: out).run(loaded)
        }
        #expect(!report.completed)
        let stopped = try Episode(contentsOf: out)
        #expect(stopped.steps.count == 3)
        #expect(stopped.info.outcome.status == .failed)
        #expect(stopped.info.outcome.message.contains("step 4 diverged"), "\(stopped.info.outcome.message)")
    }
}
