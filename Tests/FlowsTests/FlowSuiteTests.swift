import Agent
import Flows
import Foundation
import TetherTestSupport
import PhoneRig
import Testing

/// Flows on virtual phones: the worked examples, a failure named at its step, a flaky flow
/// under retries, tags, variables, and two phones sharing a suite.
@Suite(.serialized) struct FlowSuiteTests {
    @Test func theExampleSuitePassesOnAVirtualPhone() async throws {
        let scratch = TemporaryDirectory()
        let flows = try FlowLoader.files(in: [examples.path]).map { try FlowLoader.load(path: $0) }
        let results = try await runOnVirtualPhones(flows, scratch: scratch)
        for r in results { #expect(r.status == .passed, "\(r.name): \(r.failure?.summary ?? "")") }
        #expect(results.count == flows.count)
        // runFlow with when: one ran, one was skipped; repeat while deleted all three notes.
        let deleteAll = try #require(results.first { $0.name == "Delete every note" })
        #expect(deleteAll.steps.filter { $0.command == "runFlow" }.map(\.status) == [.passed, .passed, .skipped])
        #expect(deleteAll.steps.contains { $0.command == "repeat" && $0.message == "repeated 3 times" })
        // scrollUntilVisible reached the end of the long list.
        let contacts = try #require(results.first { $0.name == "Contacts long list" })
        let scrolled = try #require(contacts.steps.first { $0.command == "scrollUntilVisible" })
        #expect(scrolled.message.contains("visible after") && !scrolled.message.contains("after 0 swipes"))
        // Every step has an episode line and a thumbnail.
        let episode = try #require(contacts.episodes.first)
        let lines = try String(contentsOfFile: episode + "/steps.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == contacts.steps.count)
        #expect(contacts.steps.allSatisfy { $0.thumbnail != nil })
    }

    @Test func aFailingFlowNamesTheStepItsPlaceAndTheScreen() async throws {
        let scratch = TemporaryDirectory()
        let yaml = """
            appId: com.android.settings
            ---
            - launchApp
            - tapOn: "Network & internet"
            - tapOn: "Mobile network"
            - back
            """
        let flow = try FlowLoader.parse(yaml: yaml, file: "failing.yaml")
        let results = try await runOnVirtualPhones([flow], scratch: scratch) { $0.options.lookupTimeout = .seconds(1) }
        let result = try #require(results.first)
        #expect(result.status == .failed)
        let failure = try #require(result.failure)
        #expect(failure.location == SourceLocation(file: "failing.yaml", line: 5, column: 3))
        #expect(failure.command == "tapOn \"Mobile network\"")
        #expect(failure.message.contains("no element matched \"Mobile network\""))
        #expect(failure.screen.contains("Wi-Fi") && failure.screen.contains("Airplane mode"), "what was on screen instead: \(failure.screen)")
        let screenshot = try #require(failure.screenshot)
        #expect(FileManager.default.fileExists(atPath: screenshot))
        let tree = try #require(failure.uiTree)
        #expect(try String(contentsOfFile: tree, encoding: .utf8).contains("wifi_switch"))
        #expect(result.steps.map(\.status) == [.passed, .passed, .failed], "the step after the failure did not run")
    }

    @Test func aFlowThatFailsOnceIsFlakyWithRetries() async throws {
        let scratch = TemporaryDirectory()
        // The first attempt deletes Groceries and then fails; the second finds it gone and passes.
        let yaml = """
            appId: com.tether.notes
            ---
            - launchApp
            - runFlow:
                when:
                  visible: Groceries
                commands:
                  - longPressOn: Groceries
                  - assertVisible: Groceries
            - assertNotVisible: Groceries
            """
        let flow = try FlowLoader.parse(yaml: yaml, file: "flaky.yaml")
        let once = try await runOnVirtualPhones([flow], retries: 0, scratch: scratch) { $0.options.lookupTimeout = .seconds(1) }
        #expect(once.first?.status == .failed)
        let retried = try await runOnVirtualPhones([flow], retries: 2, scratch: scratch) { $0.options.lookupTimeout = .seconds(1) }
        let result = try #require(retried.first)
        #expect(result.status == .flaky)
        #expect(result.attempts == 2)
        #expect(result.earlierFailures.first?.location?.line == 9)
        #expect(result.passed)
    }

    @Test func tagsAndVariablesChooseAndFillFlows() async throws {
        let scratch = TemporaryDirectory()
        let tagged = try FlowLoader.parse(
            yaml: "appId: com.android.settings\nname: tagged\ntags: [slow]\n---\n- launchApp\n", file: "tagged.yaml")
        let withEnv = try FlowLoader.parse(
            yaml: """
                appId: com.android.settings
                name: variables
                env:
                  ROW: Display
                  GREETING: hello
                ---
                - launchApp
                - tapOn: ${ROW}
                - assertVisible: ${'Dark ' + 'theme'}
                - assertTrue: ${GREETING == 'hi'}
                """, file: "env.yaml")
        let results = try await runOnVirtualPhones([tagged, withEnv], scratch: scratch) { suite in
            suite.excludeTags = ["slow"]
            suite.options.variables = ["GREETING": "hi"]
        }
        #expect(results.map(\.status) == [.skipped, .passed], "\(results.map { $0.failure?.summary ?? "" })")
        let unset = try FlowLoader.parse(yaml: "---\n- inputText: ${NOPE}\n", file: "unset.yaml")
        let failed = try await runOnVirtualPhones([unset], scratch: scratch)
        #expect(failed.first?.failure?.message.contains("NOPE is not set") == true)
    }

    @Test func aFlowPastItsTimeLimitFailsAtTheStepThatWasRunning() async throws {
        let scratch = TemporaryDirectory()
        let flow = try FlowLoader.parse(
            yaml: "appId: com.android.settings\n---\n- launchApp\n- extendedWaitUntil:\n    visible: Never shown\n    timeout: 30000\n- back\n",
            file: "slow.yaml")
        let results = try await runOnVirtualPhones([flow], scratch: scratch) { $0.options.flowTimeout = .seconds(2) }
        let result = try #require(results.first)
        #expect(result.status == .failed)
        #expect(result.failure?.message.contains("time ran out") == true, "\(result.failure?.summary ?? "")")
        #expect(result.failure?.location?.line == 4)
        #expect(result.steps.map(\.status) == [.passed, .failed])
    }

    @Test func shortcutsAndShellCommands() async throws {
        let scratch = TemporaryDirectory()
        let flow = try FlowLoader.parse(
            yaml: """
                appId: com.android.settings
                ---
                - shortcut:
                    name: wifi_settings
                - assertVisible: Wi-Fi
                - shell:
                    command: getprop ro.product.model
                    expect:
                      output: Pixel
                    saveOutputAs: MODEL
                - assertTrue: ${MODEL == 'Pixel 7'}
                - shell:
                    command: "false"
                    expect:
                      exitCode: 1
                - shell: "false"
                """, file: "shell.yaml")
        let shortcuts = try ShortcutLibrary.load(directory: repository.appendingPathComponent("Devices/shortcuts").path)
        let results = try await runOnVirtualPhones([flow], scratch: scratch) { $0.options.shortcuts = shortcuts }
        let result = try #require(results.first)
        #expect(result.steps.map(\.status) == [.passed, .passed, .passed, .passed, .passed, .failed], "\(result.steps.map(\.message))")
        #expect(result.failure?.location?.line == 16)
        #expect(result.failure?.message.contains("exited with 1, not 0") == true)
    }

    @Test func theOtherCommandsDoWhatTheySay() async throws {
        let scratch = TemporaryDirectory()
        let flow = try FlowLoader.parse(
            yaml: """
                appId: com.tether.notes
                onFlowStart:
                  - clearState
                onFlowComplete:
                  - evalScript: ${output.completed = 'yes'}
                ---
                - launchApp
                - copyTextFrom: "Wi-Fi.*"
                - doubleTapOn:
                    id: new_note
                - waitForAnimationToEnd
                - tapOn:
                    id: note_title
                - inputRandomText:
                    length: 5
                - eraseText: 10
                - retry:
                    maxRetries: 2
                    commands:
                      - inputText: "Copied: "
                - pasteText
                - extendedWaitUntil:
                    visible: "Copied: .*"
                    timeout: 3000
                - hideKeyboard
                - takeScreenshot: typed
                - pressKey: Back
                - swipe:
                    start: "50%, 80%"
                    end: "50%, 30%"
                - assertVisible:
                    text: "No.*"
                    optional: true
                - openLink: https://weather.example.com/
                - assertVisible: "Springfield today.*"
                - pressKey: Home
                - assertVisible: "Good morning"
                """, file: "commands.yaml")
        let results = try await runOnVirtualPhones([flow], scratch: scratch) { $0.options.lookupTimeout = .seconds(3) }
        let result = try #require(results.first)
        #expect(result.status == .passed, "\(result.failure?.summary ?? "")\n\(result.steps.map { "\($0.text): \($0.message)" }.joined(separator: "\n"))")
        #expect(result.steps.first?.command == "clearState" && result.steps.last?.command == "evalScript")
        let shot = try #require(result.screenshots.first)
        #expect(shot.hasSuffix("typed.png") && FileManager.default.fileExists(atPath: shot))
        #expect(result.steps.first { $0.command == "copyTextFrom" }?.message == "copied \"Wi-Fi at the cabin\"")
    }

    @Test func twoPhonesShareTheSuite() async throws {
        let scratch = TemporaryDirectory()
        var flows: [Flow] = []
        for i in 1...4 {
            flows.append(
                try FlowLoader.parse(
                    yaml: "appId: com.android.settings\nname: shard \(i)\n---\n- launchApp\n- tapOn: Display\n- assertVisible: Dark theme\n",
                    file: "shard\(i).yaml"))
        }
        let results = try await runOnVirtualPhones(flows, phones: 2, scratch: scratch)
        #expect(results.allSatisfy { $0.status == .passed })
        #expect(Set(results.compactMap { $0.device?.serial }).count == 2, "both phones ran flows")
    }

    @Test func goalAndAssertWithAIUseTheModelAndSayWhenThereIsNone() async throws {
        let scratch = TemporaryDirectory()
        let yaml = """
            appId: com.android.settings
            ---
            - launchApp
            - goal:
                text: Open the display settings
                maxSteps: 3
                check:
                  - assertVisible: Dark theme
            - assertWithAI: The display settings are open
            """
        let flow = try FlowLoader.parse(yaml: yaml, file: "ai.yaml")
        let backend = ScriptedBackend(replies: [
            #"<think>Display is a row in Settings.</think><answer>do(action="Tap", element=[500,318])</answer>"#,
            #"<answer>finish(message="Display settings are open")</answer>"#,
            "PASS: the Display page shows the brightness slider and Dark theme"
        ])
        let results = try await runOnVirtualPhones([flow], scratch: scratch) { $0.options.backend = backend }
        #expect(results.first?.status == .passed, "\(results.first?.failure?.summary ?? "")")
        #expect(await backend.remaining == 0)
        let judged = try #require(await backend.requests.last)
        #expect(judged.messages.last?.image != nil, "the judge saw the screen")
        #expect(judged.messages.last?.text.contains("The display settings are open") == true)

        let without = try await runOnVirtualPhones([flow], scratch: scratch)
        #expect(without.first?.failure?.message.contains("goal needs a model") == true)
        #expect(without.first?.failure?.message.contains("--endpoint") == true)
    }
}

/// A phone that goes away mid-flow fails that flow with the reason; the flows after it, with no
/// phone left, fail saying so.
@Suite(.serialized) struct PhoneLostTests {
    @Test func aLostPhoneFailsItsFlowAndTheRestHaveNoPhone() async throws {
        let scratch = TemporaryDirectory()
        let waiting = try FlowLoader.parse(
            yaml: "appId: com.android.settings\nname: waiting\n---\n- extendedWaitUntil:\n    visible: Never shown\n    timeout: 30000\n",
            file: "waiting.yaml")
        let next = try FlowLoader.parse(yaml: "appId: com.android.settings\nname: next\n---\n- launchApp\n", file: "next.yaml")
        let rig = try await PhoneRig.start(profile: "pixel-7", seed: 1)
        let results = try await withCleanup {
            let suite = FlowSuite(flows: [waiting, next], options: FlowRunOptions(outputDirectory: scratch.url))
            let phone = await FlowPhone.describe(rig.phone, serial: "127.0.0.1:\(rig.port)")
            let stopper = Task {
                try? await Task.sleep(for: .seconds(1))
                await rig.server.stop()
            }
            let results = await suite.run(on: [phone])
            await stopper.value
            return results
        } cleanup: {
            await rig.stop()
        }
        #expect(results.map(\.status) == [.failed, .failed])
        #expect(results[0].failure?.phoneLost == true)
        #expect(results[0].failure?.message.contains("the phone was lost") == true, "\(results[0].failure?.message ?? "")")
        #expect(results[0].failure?.location?.line == 4)
        #expect(results[1].failure?.message.contains("no phone was left") == true)
    }
}
