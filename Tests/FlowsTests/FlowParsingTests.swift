import Flows
import Foundation
import TetherTestSupport
import Testing

/// Flow files that cannot run are refused with file:line:column before any phone is touched.
@Suite struct FlowParsingTests {
    @Test func brokenYAMLIsReportedWhereLibyamlStopped() {
        let yaml = "appId: com.example\n---\n- tapOn: \"Sign in\n- back\n"
        guard case .failure(let error) = parse(yaml, file: "broken.yaml") else {
            Issue.record("broken YAML was accepted")
            return
        }
        #expect(error.location?.file == "broken.yaml")
        #expect(error.location?.line == 5 || error.location?.line == 3, "at the unclosed quote's end or start, not elsewhere: \(error)")
        #expect(error.description.hasPrefix("broken.yaml:"))
        #expect(error.message.contains("not valid YAML"))
    }

    @Test func anUnknownCommandIsNamedWithItsPlaceAndTheNearestCommand() {
        let yaml = "appId: com.example\n---\n- launchApp\n- tapOnn: \"Save\"\n"
        guard case .failure(let error) = parse(yaml) else {
            Issue.record("an unknown command was accepted")
            return
        }
        #expect(error.location == SourceLocation(file: "flow.yaml", line: 4, column: 3))
        #expect(error.message.contains("unknown command \"tapOnn\""))
        #expect(error.message.contains("did you mean \"tapOn\"?"))
    }

    @Test func anArgumentOfTheWrongTypeIsNamed() {
        let wrongIndex = "---\n- tapOn:\n    text: Save\n    index: first\n"
        guard case .failure(let error) = parse(wrongIndex) else {
            Issue.record("index: first was accepted")
            return
        }
        #expect(error.location == SourceLocation(file: "flow.yaml", line: 4, column: 12))
        #expect(error.message.contains("tapOn.index should be a whole number"))

        let listForText = "---\n- inputText: [a, b]\n"
        guard case .failure(let error2) = parse(listForText) else {
            Issue.record("a list for inputText was accepted")
            return
        }
        #expect(error2.location?.line == 2)
        #expect(error2.message.contains("a list"))

        let unknownKey = "---\n- assertVisible:\n    txt: Save\n"
        guard case .failure(let error3) = parse(unknownKey) else {
            Issue.record("an unknown selector key was accepted")
            return
        }
        #expect(error3.location == SourceLocation(file: "flow.yaml", line: 3, column: 5))
        #expect(error3.message.contains("did you mean \"text\"?"))
    }

    @Test func aCyclicRunFlowIsRefusedAtTheRunFlowThatClosesIt() throws {
        let scratch = TemporaryDirectory()
        let folder = try writeFlows(
            [
                "a.yaml": "appId: x\n---\n- runFlow: b.yaml\n",
                "b.yaml": "appId: x\n---\n- back\n- runFlow:\n    file: a.yaml\n"
            ], in: scratch)
        let path = folder.appendingPathComponent("a.yaml").path
        do {
            _ = try FlowLoader.load(path: path)
            Issue.record("a cycle was accepted")
        } catch {
            #expect(error.location?.file.hasSuffix("b.yaml") == true)
            #expect(error.location?.line == 4)
            #expect(error.message.contains("a.yaml → b.yaml → a.yaml"))
        }
    }

    @Test func theHeaderAndNestedCommandsAreRead() throws {
        let yaml = """
            appId: com.tether.notes
            name: Notes
            tags: [smoke, notes]
            env:
              TITLE: Hello
            onFlowStart:
              - launchApp
            ---
            - tapOn:
                id: save
                below: Title
                optional: true
            - repeat:
                times: ${N}
                commands:
                  - back
            """
        let flow = try parse(yaml).get()
        #expect(flow.name == "Notes")
        #expect(flow.header.tags == ["smoke", "notes"])
        #expect(flow.header.env.map(\.key) == ["TITLE"])
        #expect(flow.header.onFlowStart.count == 1)
        #expect(flow.steps.count == 2)
        #expect(flow.steps[0].optional)
        guard case .tap(.tap, let selector, _) = flow.steps[0].command else {
            Issue.record("not a tap: \(flow.steps[0].command)")
            return
        }
        #expect(selector.id == "save")
        #expect(selector.below?.selector.text == "Title")
        guard case .repeatSteps(let spec) = flow.steps[1].command else {
            Issue.record("not a repeat")
            return
        }
        #expect(spec.times == "${N}")
        #expect(spec.steps.first?.location.line == 16)
    }

    @Test func everyExampleFlowParses() throws {
        let files = try FlowLoader.files(in: [examples.path])
        #expect(files.count >= 4)
        #expect(!files.contains { $0.hasSuffix("config.yaml") })
        for file in files { _ = try FlowLoader.load(path: file) }
    }
}
