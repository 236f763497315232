import Agent
import AndroidPhone
import MCP
import Trajectory

/// launch_app, list_apps, run_shortcut: apps by their names, and the YAML shortcuts.
extension PhoneTools {
    var appSpecs: [Spec] { [launchAppSpec, listAppsSpec, runShortcutSpec] }

    var launchAppSpec: Spec {
        Spec(
            tool: Tool(
                name: "launch_app",
                description: """
                    Starts an app by its label as the phone shows it (\"Settings\", \"设置\"), in any language its \
                    APK has, or by package name, at its launcher activity. A near miss is refused with suggestions.
                    """,
                inputSchema: JSONSchema.object(
                    ["device": JSONSchema.device, "app": JSONSchema.string("The app's label or package name.")],
                    required: ["app"]),
                annotations: .init(destructiveHint: false)),
            run: { tools, arguments in
                let app = try arguments.requiredString("app")
                let selected = try await tools.phone(arguments)
                let package = try await selected.phone.launch(app)
                await Self.settle(selected.phone)
                return [.plain("launched \(package)")]
            })
    }

    var listAppsSpec: Spec {
        Spec(
            tool: Tool(
                name: "list_apps",
                description: "The apps with a launcher entry: label and package, one per line.",
                inputSchema: JSONSchema.object(["device": JSONSchema.device]),
                annotations: .init(readOnlyHint: true)),
            run: { tools, arguments in
                let selected = try await tools.phone(arguments)
                let apps = try await selected.phone.apps().filter { $0.launcherActivity != nil }
                let lines = apps.map { "\($0.label ?? "(no label)")  \($0.package)" }.sorted()
                return [.plain(lines.isEmpty ? "no launchable apps" : lines.joined(separator: "\n"))]
            })
    }

    var runShortcutSpec: Spec {
        let names = shortcuts.shortcuts.map(\.name)
        let list = shortcuts.shortcuts.map { s in
            let parameters = s.parameters.map { p in "\(p.name): \(p.type.promptName)\(p.required ? "" : ", optional")" }
            return "- \(s.name)(\(parameters.joined(separator: "; "))): \(s.summary(in: .english))"
        }
        let description =
            "Runs an API shortcut (an intent, deep link, shell command or content query declared in YAML) "
            + "with its typed arguments: faster and surer than the same steps by hand. "
            + (list.isEmpty
                ? "No shortcuts are loaded (tether mcp --shortcuts DIR)."
                : "The shortcuts (offered when their app is installed):\n" + list.joined(separator: "\n"))
        return Spec(
            tool: Tool(
                name: "run_shortcut", description: description,
                inputSchema: JSONSchema.object(
                    [
                        "device": JSONSchema.device,
                        "name": JSONSchema.string("The shortcut's name.", choices: names.isEmpty ? nil : names),
                        "arguments": .object([
                            "type": "object",
                            "description": "The shortcut's parameters by name (strings, numbers or booleans).",
                            "additionalProperties": .object(["type": .array(["string", "number", "boolean"])])
                        ])
                    ], required: ["name"]),
                annotations: .init(destructiveHint: true)),
            run: { tools, arguments in try await tools.runShortcut(arguments) })
    }

    func runShortcut(_ arguments: ToolArguments) async throws -> [Tool.Content] {
        let name = try arguments.requiredString("name")
        guard let shortcut = shortcuts.shortcut(named: name) else {
            let known = shortcuts.shortcuts.map(\.name).joined(separator: ", ")
            throw ToolError("no shortcut \"\(name)\"; the shortcuts are: \(known.isEmpty ? "none (tether mcp --shortcuts DIR)" : known)")
        }
        var values: [String: String] = [:]
        for (key, value) in try arguments.object("arguments") ?? [:] {
            switch value {
            case .string(let s): values[key] = s
            case .int(let n): values[key] = String(n)
            case .double(let d): values[key] = d.rounded() == d && abs(d) < 1e15 ? String(Int(d)) : String(d)
            case .bool(let b): values[key] = b ? "true" : "false"
            default: throw ToolError("run_shortcut: argument \(key) must be a string, number or boolean")
            }
        }
        do { _ = try shortcut.invocation(arguments: values) } catch { throw ToolError(error.message) }
        let selected = try await phone(arguments)
        let executor = Executor(phone: AndroidPhoneControl(phone: selected.phone), apps: [], shortcuts: [shortcut])
        let display = try await selected.phone.display()
        let outcome = try await executor.execute(
            .shortcut(name: name, arguments: values), screenWidth: display.width, screenHeight: display.height)
        guard outcome.ok else { throw ToolError(outcome.message) }
        await Self.settle(selected.phone)
        return [.plain(outcome.message)]
    }
}
