import Foundation
import Yams

/// Turns YAML nodes into steps, for one file.
struct StepParser {
    let file: String
    /// The files being loaded, outermost first (absolute): a `runFlow` of one of them is a cycle.
    let loading: [String]

    func location(_ node: Node) -> SourceLocation { node.location(in: file) }

    func header(_ node: Node) throws(FlowError) -> FlowHeader {
        let args = try ArgumentReader(command: "the header", node: node, file: file)
        var header = FlowHeader()
        header.appId = try args.string("appId")
        header.name = try args.string("name")
        if let tags = args.value("tags") { header.tags = try stringList(tags, "tags") }
        if let env = args.value("env") { header.env = try environment(env, "env") }
        if let node = args.value("onFlowStart") { header.onFlowStart = try steps(node, what: "onFlowStart") }
        if let node = args.value("onFlowComplete") { header.onFlowComplete = try steps(node, what: "onFlowComplete") }
        for ignored in ["url", "jsEngine", "properties", "description"] { _ = args.value(ignored) }
        try args.finish(allowed: ["appId", "name", "tags", "env", "onFlowStart", "onFlowComplete"])
        return header
    }

    func steps(_ node: Node, what: String) throws(FlowError) -> [Step] {
        guard let sequence = node.sequence else {
            throw FlowError("\(what) should be a list of commands (lines starting with `- `), not \(node.kindName)", at: location(node))
        }
        var out: [Step] = []
        for item in sequence { out.append(try step(item)) }
        return out
    }

    func stringList(_ node: Node, _ what: String) throws(FlowError) -> [String] {
        if let scalar = node.scalar { return [scalar.string] }
        guard let sequence = node.sequence else {
            throw FlowError("\(what) should be a list of text, not \(node.kindName)", at: location(node))
        }
        var out: [String] = []
        for item in sequence { out.append(try ArgumentReader.text(item, what, file: file)) }
        return out
    }

    func environment(_ node: Node, _ what: String) throws(FlowError) -> [(key: String, value: String)] {
        guard let mapping = node.mapping else {
            throw FlowError("\(what) should be a mapping of NAME: value, not \(node.kindName)", at: location(node))
        }
        var out: [(key: String, value: String)] = []
        for (key, value) in mapping {
            let name = try ArgumentReader.text(key, "\(what) name", file: file)
            guard Expression.isName(name) else {
                throw FlowError("\(what): \"\(name)\" is not a variable name (letters, digits, _)", at: location(key))
            }
            out.append((name, try ArgumentReader.text(value, "\(what).\(name)", file: file)))
        }
        return out
    }

    /// One list item: `- back` or `- tapOn: …`.
    func step(_ node: Node) throws(FlowError) -> Step {
        let name: String
        let argument: Node?
        let at = location(node)
        if let scalar = node.scalar {
            name = scalar.string
            argument = nil
        } else if let mapping = node.mapping, mapping.count == 1, let (key, value) = mapping.first {
            name = try ArgumentReader.text(key, "a command's name", file: file)
            argument = value.null != nil ? nil : value
        } else if let mapping = node.mapping, mapping.count > 1 {
            let names = mapping.keys.compactMap { $0.scalar?.string }
            throw FlowError(
                "one command per list item: this item has \(names.count) keys (\(names.joined(separator: ", "))); "
                    + "put each on its own `- ` line, or indent the arguments under the command", at: at)
        } else {
            throw FlowError("a command should be a name or `name: arguments`, not \(node.kindName)", at: at)
        }
        var options = StepOptions()
        guard let command = try command(name, argument, at, &options) else {
            var message = "unknown command \"\(name)\""
            if let near = nearest(name, in: Self.commandNames) { message += "; did you mean \"\(near)\"?" }
            message += " See docs/flows.md for the commands Tether runs."
            throw FlowError(message, at: at)
        }
        return Step(command: command, name: name, location: at, optional: options.optional, label: options.label)
    }

    /// `optional` and `label`, which any command with a mapping of arguments takes.
    struct StepOptions {
        var optional = false
        var label: String?

        mutating func read(_ args: ArgumentReader) throws(FlowError) {
            optional = try args.bool("optional") ?? false
            label = try args.string("label")
        }
        static let keys = ["optional", "label"]
    }
}
