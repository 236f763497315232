import Yams

/// Reads one command's arguments from its mapping, typed, and refuses keys it does not take.
final class ArgumentReader {
    let command: String
    let node: Node
    let file: String
    private let pairs: [(key: String, keyNode: Node, value: Node)]
    private var used: Set<String> = []

    init(command: String, node: Node, file: String) throws(FlowError) {
        self.command = command
        self.node = node
        self.file = file
        guard let mapping = node.mapping else {
            throw FlowError("\(command) takes a mapping of arguments here, not \(node.kindName)", at: node.location(in: file))
        }
        var pairs: [(key: String, keyNode: Node, value: Node)] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                throw FlowError("\(command): argument names must be text, not \(key.kindName)", at: key.location(in: file))
            }
            pairs.append((name, key, value))
        }
        self.pairs = pairs
    }

    var keys: [String] { pairs.map(\.key) }

    func has(_ key: String) -> Bool { pairs.contains { $0.key == key } }

    func value(_ key: String) -> Node? {
        guard let pair = pairs.first(where: { $0.key == key }) else { return nil }
        used.insert(key)
        return pair.value
    }

    func string(_ key: String) throws(FlowError) -> String? {
        guard let node = value(key) else { return nil }
        return try Self.text(node, "\(command).\(key)", file: file)
    }

    func int(_ key: String) throws(FlowError) -> Int? {
        guard let node = value(key) else { return nil }
        guard let n = node.scalar.flatMap({ Int($0.string.trimmingCharacters(in: .whitespaces)) }) else {
            throw FlowError("\(command).\(key) should be a whole number, not \(node.kindName)", at: node.location(in: file))
        }
        return n
    }

    func bool(_ key: String) throws(FlowError) -> Bool? {
        guard let node = value(key) else { return nil }
        guard node.scalar != nil, let b = node.bool else {
            throw FlowError("\(command).\(key) should be true or false, not \(node.kindName)", at: node.location(in: file))
        }
        return b
    }

    /// Milliseconds, as Maestro writes timeouts and durations.
    func milliseconds(_ key: String) throws(FlowError) -> Duration? {
        guard let n = try int(key) else { return nil }
        guard n >= 0 else {
            throw FlowError("\(command).\(key) must not be negative", at: value(key)?.location(in: file))
        }
        return .milliseconds(n)
    }

    /// Every key was one the command takes; otherwise an error naming the closest one it does.
    func finish(allowed: [String]) throws(FlowError) {
        for pair in pairs where !used.contains(pair.key) {
            var message = "\(command) has no argument \"\(pair.key)\""
            if let near = nearest(pair.key, in: allowed) { message += "; did you mean \"\(near)\"?" }
            message += allowed.isEmpty ? "" : " It takes: \(allowed.joined(separator: ", "))."
            throw FlowError(message, at: pair.keyNode.location(in: file))
        }
    }

    /// A scalar's text; a list or mapping is an error.
    static func text(_ node: Node, _ what: String, file: String) throws(FlowError) -> String {
        guard let scalar = node.scalar else {
            throw FlowError("\(what) should be text, not \(node.kindName)", at: node.location(in: file))
        }
        return scalar.string
    }
}
