import Agent
import AndroidPhone
import Logging
import MCP

/// The MCP tools over phones: their definitions (name, description, typed input schema) and
/// their calls. Every failure comes back as a tool result with `isError: true` and a message.
public struct PhoneTools: Sendable {
    public let source: any PhoneSource
    public let tasks: any AgentTasks
    public let shortcuts: ShortcutLibrary
    let memory = ElementMemory()
    let logger: Logger

    public init(
        source: any PhoneSource, tasks: any AgentTasks, shortcuts: ShortcutLibrary = .empty,
        logger: Logger = Logger(label: "tether.mcp")
    ) {
        self.source = source
        self.tasks = tasks
        self.shortcuts = shortcuts
        self.logger = logger
    }

    /// One tool: what the client sees, and what a call does.
    struct Spec: Sendable {
        var tool: Tool
        var run: @Sendable (PhoneTools, ToolArguments) async throws -> [Tool.Content]
    }

    /// The tools, coarse ones first.
    public var definitions: [Tool] { specs.map(\.tool) }

    var specs: [Spec] {
        screenSpecs + [runFlowSpec] + taskSpecs + [listDevicesSpec] + [screenshotSpec, uiTreeSpec] + inputSpecs + appSpecs
    }

    /// Runs the tool `name`. Never throws: errors are tool errors.
    public func call(_ name: String, arguments: [String: Value]?) async -> CallTool.Result {
        guard let spec = specs.first(where: { $0.tool.name == name }) else {
            return Self.failure("there is no tool \"\(name)\"; the tools are: \(specs.map(\.tool.name).joined(separator: ", "))")
        }
        let arguments = ToolArguments(tool: name, values: arguments)
        do {
            if case .object(let schema) = spec.tool.inputSchema, case .object(let properties)? = schema["properties"] {
                try arguments.allowOnly(Set(properties.keys))
            }
            return CallTool.Result(content: try await spec.run(self, arguments), isError: false)
        } catch let error as ToolError {
            return Self.failure(error.message)
        } catch let error as PhoneError {
            if case .disconnected = error { await source.disconnected() }
            return Self.failure("\(name) failed on the phone: \(error)")
        } catch is CancellationError {
            return Self.failure("\(name) was cancelled")
        } catch {
            logger.warning("tool failed", metadata: ["tool": "\(name)", "error": "\(error)"])
            return Self.failure("\(name) failed: \(error)")
        }
    }

    static func failure(_ message: String) -> CallTool.Result {
        CallTool.Result(content: [.plain(message)], isError: true)
    }

    /// The phone the `device` argument names (or the only one).
    func phone(_ arguments: ToolArguments) async throws(ToolError) -> SelectedPhone {
        try await source.phone(try arguments.string("device"))
    }

    /// Lets the screen come to rest after an input (bounded), so that the next look sees its effect.
    static func settle(_ phone: Phone) async {
        _ = try? await phone.waitUntilSettled(timeout: .seconds(2))
    }
}
