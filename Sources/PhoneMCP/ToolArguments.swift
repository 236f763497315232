import MCP

/// A tool call's arguments, read by name and type; a missing or mistyped one is a `ToolError`
/// that names the argument and says what it should be.
struct ToolArguments: Sendable {
    let tool: String
    let values: [String: Value]

    init(tool: String, values: [String: Value]?) {
        self.tool = tool
        self.values = values ?? [:]
    }

    func has(_ name: String) -> Bool { values[name].map { !$0.isNull } ?? false }

    func string(_ name: String) throws(ToolError) -> String? {
        guard let value = values[name], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw mistyped(name, "a string") }
        return text
    }

    func requiredString(_ name: String) throws(ToolError) -> String {
        guard let text = try string(name), !text.isEmpty else { throw missing(name, "a string") }
        return text
    }

    /// Integers, and numbers that are whole (JSON clients may send `3.0`).
    func int(_ name: String, in range: ClosedRange<Int>? = nil) throws(ToolError) -> Int? {
        guard let value = values[name], !value.isNull else { return nil }
        let number: Int
        if let n = value.intValue {
            number = n
        } else if let d = value.doubleValue, d.rounded() == d, abs(d) < 1e9 {
            number = Int(d)
        } else {
            throw mistyped(name, "an integer")
        }
        if let range, !range.contains(number) {
            throw ToolError("\(tool): \(name) must be between \(range.lowerBound) and \(range.upperBound), not \(number)")
        }
        return number
    }

    func requiredInt(_ name: String, in range: ClosedRange<Int>? = nil) throws(ToolError) -> Int {
        guard let number = try int(name, in: range) else { throw missing(name, "an integer") }
        return number
    }

    func bool(_ name: String) throws(ToolError) -> Bool? {
        guard let value = values[name], !value.isNull else { return nil }
        guard let flag = value.boolValue else { throw mistyped(name, "true or false") }
        return flag
    }

    /// One of `choices`, or nil when left out.
    func choice(_ name: String, _ choices: [String]) throws(ToolError) -> String? {
        guard let text = try string(name) else { return nil }
        guard choices.contains(text) else {
            throw ToolError("\(tool): \(name) must be one of \(choices.joined(separator: ", ")), not \"\(text)\"")
        }
        return text
    }

    func object(_ name: String) throws(ToolError) -> [String: Value]? {
        guard let value = values[name], !value.isNull else { return nil }
        guard let object = value.objectValue else { throw mistyped(name, "an object") }
        return object
    }

    /// Refuses names the tool does not take, so a misspelt argument is not silently ignored.
    func allowOnly(_ names: Set<String>) throws(ToolError) {
        let unknown = values.keys.filter { !names.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw ToolError(
                "\(tool) takes no argument \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")); "
                    + "its arguments are: \(names.sorted().joined(separator: ", "))")
        }
    }

    private func missing(_ name: String, _ kind: String) -> ToolError {
        ToolError("\(tool) needs \(name) (\(kind))")
    }

    private func mistyped(_ name: String, _ kind: String) -> ToolError {
        ToolError("\(tool): \(name) must be \(kind), not \(values[name].map { "\($0)" } ?? "nothing")")
    }
}
