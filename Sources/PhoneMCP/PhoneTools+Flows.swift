import Flows
import Foundation
import MCP

/// run_flow: Maestro-style steps (docs/flows.md) run on the phone in one call.
extension PhoneTools {
    var runFlowSpec: Spec {
        Spec(
            tool: Tool(
                name: "run_flow",
                description: """
                    Runs a flow: steps in Maestro's YAML (launchApp, tapOn: "Text", inputText, assertVisible, \
                    scrollUntilVisible, back, …; docs/flows.md), each waiting for its element on a settled screen. \
                    Returns whether it passed and one line per step; a failure names the step's line and column, \
                    why, and the texts on the screen. A mistake in the YAML is reported before the phone is touched. \
                    goal and assertWithAI steps need a model and fail here saying so.
                    """,
                inputSchema: JSONSchema.object(
                    [
                        "yaml": JSONSchema.string("The flow: an optional header (appId, env, …), then ---, then a list of steps."),
                        "device": JSONSchema.device,
                        "timeout_seconds": JSONSchema.integer("The whole flow's limit (default 300).", minimum: 1, maximum: 3600)
                    ], required: ["yaml"]),
                annotations: .init(destructiveHint: true, openWorldHint: false)),
            run: { tools, arguments in
                let yaml = try arguments.requiredString("yaml")
                let seconds = try arguments.int("timeout_seconds", in: 1...3600) ?? 300
                let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tether-mcp-flow-\(UUID().uuidString)")
                defer { try? FileManager.default.removeItem(at: scratch) }
                let flow: Flow
                do { flow = try FlowLoader.parse(yaml: yaml, file: scratch.appendingPathComponent("flow.yaml").path) } catch {
                    throw ToolError(String(describing: error).replacingOccurrences(of: scratch.path + "/", with: ""))
                }
                let selected = try await tools.phone(arguments)
                var options = FlowRunOptions(outputDirectory: scratch.appendingPathComponent("output"))
                options.flowTimeout = .seconds(seconds)
                options.shortcuts = tools.shortcuts
                let results = await FlowSuite(flows: [flow], options: options).run(
                    on: [await FlowPhone.describe(selected.phone, serial: selected.serial)])
                guard let result = results.first else { throw ToolError("the flow did not run") }
                return [.plain(Self.describe(result, hiding: scratch.path + "/"))]
            })
    }

    static func describe(_ result: FlowResult, hiding prefix: String) -> String {
        var lines = ["\(result.status.rawValue) in \(String(format: "%.2f", result.seconds)) s"]
        for step in result.steps {
            let indent = String(repeating: "  ", count: step.depth + 1)
            lines.append("\(indent)\(step.status.rawValue) \(step.location.line):\(step.location.column) \(step.text): \(step.message)")
        }
        if let failure = result.failure {
            lines.append("failure: \(failure.message.replacingOccurrences(of: prefix, with: ""))")
            if !failure.screen.isEmpty { lines.append("on screen: \(failure.screen.joined(separator: " | "))") }
        }
        return lines.joined(separator: "\n")
    }
}
