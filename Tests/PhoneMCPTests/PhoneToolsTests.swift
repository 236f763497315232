import Agent
import Basics
import AndroidPhone
import Imaging
import MCP
import PhoneRig
import Testing

@testable import PhoneMCP

/// The tools called in-process against a virtual phone (no MCP transport in between).
@Suite struct PhoneToolsTests {
    static func tools(_ rig: PhoneRig, tasks: (any AgentTasks)? = nil) -> (PhoneTools, SinglePhoneSource) {
        let source = SinglePhoneSource(phone: rig.phone, serial: "vphone")
        return (PhoneTools(source: source, tasks: tasks ?? NoAgentTasks(reason: "no model here")), source)
    }

    static func text(_ result: CallTool.Result) -> String {
        result.content.compactMap { if case .text(let text, _, _) = $0 { text } else { nil } }.joined(separator: "\n")
    }

    @Test func inspectListsElementsAndATapByIdOpensSettings() async throws {
        try await withPhoneRig { rig in
            let (tools, _) = Self.tools(rig)
            let screen = await tools.call("inspect_screen", arguments: nil)
            #expect(screen.isError == false)
            let text = Self.text(screen)
            #expect(text.contains("screen: 720x1600"), "\(text)")
            let line = try #require(text.split(separator: "\n").first { $0.contains("\"Settings\"") && $0.contains("clickable") })
            let id = String(line.split(separator: " ")[0])
            let tapped = await tools.call("tap", arguments: ["element": .string(id)])
            #expect(tapped.isError == false, "\(Self.text(tapped))")
            let front = try await rig.phone.foregroundApp()
            #expect(front?.package == "com.android.settings")
        }
    }

    @Test func elementIdsAreToolErrorsUntilListedAndWhenUnknown() async throws {
        try await withPhoneRig { rig in
            let (tools, _) = Self.tools(rig)
            let early = await tools.call("tap", arguments: ["element": "e3"])
            #expect(early.isError == true && Self.text(early).contains("call inspect_screen first"))
            _ = await tools.call("inspect_screen", arguments: [:])
            let unknown = await tools.call("tap", arguments: ["element": "e9999"])
            #expect(unknown.isError == true && Self.text(unknown).contains("no element \"e9999\""))
            let both = await tools.call("tap", arguments: ["element": "e1", "x": 3, "y": 4])
            #expect(both.isError == true && Self.text(both).contains("not both"))
        }
    }

    @Test func badArgumentsAndUnknownToolsAreToolErrors() async throws {
        try await withPhoneRig { rig in
            let (tools, _) = Self.tools(rig)
            let mistyped = await tools.call("tap", arguments: ["x": "left", "y": 3])
            #expect(mistyped.isError == true && Self.text(mistyped).contains("x must be an integer"))
            let misspelt = await tools.call("press_key", arguments: ["kee": "HOME"])
            #expect(misspelt.isError == true && Self.text(misspelt).contains("no argument \"kee\""))
            let missing = await tools.call("launch_app", arguments: [:])
            #expect(missing.isError == true && Self.text(missing).contains("needs app"))
            let nothing = await tools.call("fly", arguments: nil)
            #expect(nothing.isError == true && Self.text(nothing).contains("there is no tool \"fly\""))
            let otherPhone = await tools.call("inspect_screen", arguments: ["device": "elsewhere"])
            #expect(otherPhone.isError == true && Self.text(otherPhone).contains("no device elsewhere"))
            let noModel = await tools.call("run_task", arguments: ["task": "Open Settings"])
            #expect(noModel.isError == true && Self.text(noModel) == "no model here")
            let noShortcut = await tools.call("run_shortcut", arguments: ["name": "teleport"])
            #expect(noShortcut.isError == true && Self.text(noShortcut).contains("no shortcut \"teleport\""))
        }
    }

    @Test func aFlowRunsOnThePhoneAndAMistakeIsNamedBeforeIt() async throws {
        try await withPhoneRig { rig in
            let (tools, _) = Self.tools(rig)
            let flow = "appId: com.android.settings\n---\n- launchApp\n- assertVisible: \"Network & internet\"\n"
            let passed = await tools.call("run_flow", arguments: ["yaml": .string(flow)])
            #expect(passed.isError == false && Self.text(passed).hasPrefix("passed"), "\(Self.text(passed))")
            #expect(Self.text(passed).contains("4:3 "), "\(Self.text(passed))")
            let front = try await rig.phone.foregroundApp()
            #expect(front?.package == "com.android.settings")

            let missing = "---\n- extendedWaitUntil:\n    visible: \"Nothing like this\"\n    timeout: 300\n"
            let failed = await tools.call("run_flow", arguments: ["yaml": .string(missing)])
            #expect(Self.text(failed).hasPrefix("failed") && Self.text(failed).contains("on screen:"), "\(Self.text(failed))")

            let broken = await tools.call("run_flow", arguments: ["yaml": "---\n- tapOnn: \"x\"\n"])
            #expect(broken.isError == true && Self.text(broken).hasPrefix("flow.yaml:2:"), "\(Self.text(broken))")
        }
    }

    @Test func everyToolHasATypedSchemaAndARowInTheDocs() throws {
        let tools = PhoneTools(source: SinglePhoneSource(name: "x") { throw CancellationError() }, tasks: NoAgentTasks(reason: ""))
        let docs = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/mcp.md"), encoding: .utf8)
        #expect(tools.definitions.count == 15)
        for tool in tools.definitions {
            guard case .object(let schema) = tool.inputSchema, case .object(let properties)? = schema["properties"],
                case .array(let required)? = schema["required"]
            else {
                Issue.record("\(tool.name) has no object schema")
                continue
            }
            #expect(schema["type"] == "object" && !(tool.description ?? "").isEmpty, "\(tool.name)")
            for name in required { #expect(name.stringValue.map { properties[$0] != nil } == true, "\(tool.name): \(name)") }
            for (name, property) in properties {
                #expect(property.objectValue?["type"] != nil, "\(tool.name).\(name) has no type")
            }
            #expect(docs.contains("| `\(tool.name)` |"), "docs/mcp.md has no row for \(tool.name)")
        }
    }

    @Test func screenshotsFitTheAskedSize() throws {
        let image = try Imaging.Image(width: 1080, height: 2400)
        let fitted = try PhoneTools.fit(image, maxWidth: 200, maxHeight: 300)
        #expect(fitted.width == 135 && fitted.height == 300)
        let wide = try PhoneTools.fit(image, maxWidth: 100, maxHeight: 2000)
        #expect(wide.width == 100 && wide.height == 222)
        let small = try PhoneTools.fit(image, maxWidth: 4000, maxHeight: 4000)
        #expect(small.width == 1080 && small.height == 2400)
    }

    @Test func aTaskRunsToItsEndAndReportsIt() async throws {
        try await withPhoneRig { rig in
            let source = SinglePhoneSource(phone: rig.phone, serial: "vphone")
            let backend = ScriptedBackend(replies: [
                "<think>Settings.</think>\n<answer>do(action=\"Launch\", app=\"Settings\")</answer>",
                "<think>Done.</think>\n<answer>finish(message=\"Settings is open.\")</answer>"
            ])
            let tasks = LocalAgentTasks(source: source, backend: backend, shortcuts: .empty)
            let tools = PhoneTools(source: source, tasks: tasks)
            let started = await tools.call("run_task", arguments: ["task": "Open Settings", "lang": "en", "wait_seconds": 0])
            #expect(started.isError == false, "\(Self.text(started))")
            let id = try #require(Self.text(started).split(separator: " ").dropFirst().first.map { String($0.dropLast()) })
            let status = await tools.call("task_status", arguments: ["id": .string(id), "wait_seconds": 60])
            let text = Self.text(status)
            #expect(text.contains("succeeded after 2 steps") && text.contains("Settings is open."), "\(text)")
            #expect(try await rig.phone.foregroundApp()?.package == "com.android.settings")
            let missing = await tools.call("task_status", arguments: ["id": "nope"])
            #expect(missing.isError == true && Self.text(missing).contains("no task nope"))
            await tasks.close()
        }
    }

    @Test func aQuestionWaitsForItsAnswerAndTheTaskHoldsThePhoneMeanwhile() async throws {
        try await withPhoneRig { rig in
            let source = SinglePhoneSource(phone: rig.phone, serial: "vphone")
            let backend = ScriptedBackend(replies: [
                "<think>Sending cannot be undone.</think>\n<answer>do(action=\"Tap\", element=[500,500], message=\"Send the message\")</answer>",
                "<think>Done.</think>\n<answer>finish(message=\"Sent.\")</answer>"
            ])
            let tasks = LocalAgentTasks(source: source, backend: backend, shortcuts: .empty)
            let tools = PhoneTools(source: source, tasks: tasks)
            let asked = Self.text(
                await tools.call("run_task", arguments: ["task": "Send it", "lang": "en", "on_sensitive": "ask", "wait_seconds": 60]))
            #expect(asked.contains(": waiting after") && asked.contains("(confirm): Send the message"), "\(asked)")
            let busy = await tools.call("inspect_screen", arguments: nil)
            #expect(busy.isError == true && Self.text(busy).contains("busy with agent task"), "\(Self.text(busy))")

            let words = asked.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
            let id = try #require(words.dropFirst().first.map { String($0.dropLast()) })
            let question = try #require(words.firstIndex(of: "question").map { words[$0 + 1] })
            let wrong = await tools.call("answer_question", arguments: ["id": .string(id), "question": "nope", "answer": "yes"])
            #expect(wrong.isError == true && Self.text(wrong).contains("no open question nope"))
            let answered = await tools.call("answer_question", arguments: ["id": .string(id), "question": .string(question), "answer": "yes"])
            #expect(answered.isError == false, "\(Self.text(answered))")
            let done = Self.text(await tools.call("task_status", arguments: ["id": .string(id), "wait_seconds": 60]))
            #expect(done.contains("succeeded after 2 steps") && done.contains("Sent."), "\(done)")
            let free = await tools.call("inspect_screen", arguments: nil)
            #expect(free.isError == false, "the phone is free again once the task ended")
            await tasks.close()
        }
    }
}

/// A phone that cannot be reached is a tool error, and the server keeps answering.
@Suite struct UnreachablePhoneTests {
    struct Unreachable: Error, CustomStringConvertible { var description: String { "connection refused" } }

    @Test func anUnreachablePhoneIsAToolErrorAndListedOffline() async throws {
        let attempts = Locked(0)
        let source = SinglePhoneSource(name: "127.0.0.1:1") {
            attempts.withLock { $0 += 1 }
            throw Unreachable()
        }
        let tools = PhoneTools(source: source, tasks: NoAgentTasks(reason: "no model"))
        let screen = await tools.call("inspect_screen", arguments: nil)
        #expect(screen.isError == true && PhoneToolsTests.text(screen).contains("cannot reach the phone: connection refused"))
        let devices = await tools.call("list_devices", arguments: nil)
        #expect(devices.isError == false && PhoneToolsTests.text(devices).hasPrefix("127.0.0.1:1  offline"))
        #expect(attempts.withLock { $0 } == 2, "each call tries to connect again")
    }
}
