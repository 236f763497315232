/// One flow file, parsed: its header and its steps, every `runFlow` file already loaded.
public struct Flow: Sendable {
    /// The path the flow was read from, as given.
    public var file: String
    public var header: FlowHeader
    public var steps: [Step]

    public init(file: String, header: FlowHeader, steps: [Step]) {
        self.file = file
        self.header = header
        self.steps = steps
    }

    /// The header's `name`, else the file's name without its extension.
    public var name: String {
        if let name = header.name, !name.isEmpty { return name }
        let last = file.split(separator: "/").last.map(String.init) ?? file
        for suffix in [".yaml", ".yml"] where last.hasSuffix(suffix) { return String(last.dropLast(suffix.count)) }
        return last
    }
}

/// What comes before `---`: Maestro's header keys.
public struct FlowHeader: Sendable {
    public var appId: String?
    public var name: String?
    public var tags: [String] = []
    public var env: [(key: String, value: String)] = []
    public var onFlowStart: [Step] = []
    public var onFlowComplete: [Step] = []

    public init() {}
}

/// One command as written, with where it was written and the options every command takes.
public struct Step: Sendable {
    public var command: Command
    /// The command's name as written (`tapOn`), for messages and reports.
    public var name: String
    public var location: SourceLocation
    /// `optional: true`: a failure is reported as a warning and the flow goes on.
    public var optional: Bool
    /// `label: "…"`: shown in reports instead of the command.
    public var label: String?

    public init(command: Command, name: String, location: SourceLocation, optional: Bool = false, label: String? = nil) {
        self.command = command
        self.name = name
        self.location = location
        self.optional = optional
        self.label = label
    }
}
