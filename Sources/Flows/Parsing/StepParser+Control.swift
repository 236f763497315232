import Foundation
import Yams

extension StepParser {
    func runFlow(_ name: String, _ arg: Node?, _ at: SourceLocation, _ options: inout StepOptions) throws(FlowError) -> Command {
        guard let arg else { throw FlowError("runFlow needs a file, or commands", at: at) }
        var fileName: String?
        var inline: [Step]?
        var env: [(key: String, value: String)] = []
        var when: Condition?
        if let scalar = arg.scalar {
            fileName = scalar.string
        } else {
            let args = try ArgumentReader(command: name, node: arg, file: file)
            fileName = try args.string("file")
            if let node = args.value("commands") { inline = try steps(node, what: "runFlow.commands") }
            if let node = args.value("env") { env = try environment(node, "runFlow.env") }
            if let node = args.value("when") { when = try condition(node, command: "runFlow.when") }
            try options.read(args)
            try args.finish(allowed: ["file", "commands", "env", "when"] + StepOptions.keys)
        }
        switch (fileName, inline) {
        case (let name?, nil):
            let sub = try subflow(name, at: at)
            return .runFlow(RunFlow(file: sub.file, steps: sub.steps, env: sub.header.env + env, when: when))
        case (nil, let steps?):
            return .runFlow(RunFlow(file: nil, steps: steps, env: env, when: when))
        case (.some, .some):
            throw FlowError("runFlow takes a file or commands, not both", at: at)
        case (nil, nil):
            throw FlowError("runFlow needs a file, or commands", at: at)
        }
    }

    /// Loads a `runFlow` file beside this one, refusing a file already being loaded.
    func subflow(_ name: String, at: SourceLocation) throws(FlowError) -> Flow {
        let path = name.hasPrefix("/") ? name : ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name)
        let absolute = FlowLoader.absolute(path)
        if let start = loading.firstIndex(of: absolute) {
            let chain = (loading[start...] + [absolute]).map { ($0 as NSString).lastPathComponent }
            throw FlowError("runFlow makes a cycle: \(chain.joined(separator: " → ")); a flow cannot run itself", at: at)
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw FlowError("runFlow: no file \(path)", at: at)
        }
        return try FlowLoader.load(path: path, loading: loading)
    }

    func repeatSteps(_ name: String, _ arg: Node?, _ at: SourceLocation, _ options: inout StepOptions) throws(FlowError) -> Command {
        guard let arg else { throw FlowError("repeat needs commands, and times or while", at: at) }
        let args = try ArgumentReader(command: name, node: arg, file: file)
        var times: String?
        if let node = args.value("times") {
            let text = try ArgumentReader.text(node, "repeat.times", file: file)
            guard text.contains("${") || Int(text).map({ $0 >= 0 }) == true else {
                throw FlowError("repeat.times should be a whole number (or a ${…} expression), not \(node.kindName)", at: location(node))
            }
            times = text
        }
        var whileCondition: Condition?
        if let n = args.value("while") { whileCondition = try condition(n, command: "repeat.while") }
        guard let commands = args.value("commands") else { throw FlowError("repeat needs commands", at: at) }
        let steps = try steps(commands, what: "repeat.commands")
        try options.read(args)
        try args.finish(allowed: ["times", "while", "commands"] + StepOptions.keys)
        guard times != nil || whileCondition != nil else { throw FlowError("repeat needs times, while, or both", at: at) }
        return .repeatSteps(RepeatSpec(times: times, whileCondition: whileCondition, steps: steps))
    }

    func retry(_ name: String, _ arg: Node?, _ at: SourceLocation, _ options: inout StepOptions) throws(FlowError) -> Command {
        guard let arg else { throw FlowError("retry needs commands or a file", at: at) }
        let args = try ArgumentReader(command: name, node: arg, file: file)
        let maxRetries = try args.int("maxRetries") ?? 1
        guard (0...3).contains(maxRetries) else {
            throw FlowError("retry.maxRetries should be 0…3 (as Maestro allows)", at: args.value("maxRetries")?.location(in: file))
        }
        let steps: [Step]
        if let node = args.value("commands") {
            steps = try self.steps(node, what: "retry.commands")
        } else if let fileName = try args.string("file") {
            steps = try subflow(fileName, at: at).steps
        } else {
            throw FlowError("retry needs commands or a file", at: at)
        }
        if args.has("file"), args.has("commands") { throw FlowError("retry takes commands or a file, not both", at: at) }
        _ = try args.string("file")
        try options.read(args)
        try args.finish(allowed: ["maxRetries", "commands", "file"] + StepOptions.keys)
        return .retry(maxRetries: maxRetries, steps: steps)
    }

    func goal(_ name: String, _ arg: Node?, _ at: SourceLocation, _ options: inout StepOptions) throws(FlowError) -> Command {
        guard let arg else { throw FlowError("goal needs what to do, in words", at: at) }
        if let scalar = arg.scalar { return .goal(GoalSpec(text: scalar.string, maxSteps: 30, check: [])) }
        let args = try ArgumentReader(command: name, node: arg, file: file)
        guard let text = try args.string("text") else { throw FlowError("goal needs text: what to do, in words", at: at) }
        let maxSteps = try args.int("maxSteps") ?? 30
        guard (1...500).contains(maxSteps) else { throw FlowError("goal.maxSteps should be 1…500", at: at) }
        var check: [Step] = []
        if let n = args.value("check") { check = try steps(n, what: "goal.check") }
        try options.read(args)
        try args.finish(allowed: ["text", "maxSteps", "check"] + StepOptions.keys)
        return .goal(GoalSpec(text: text, maxSteps: maxSteps, check: check))
    }

    func shortcut(_ name: String, _ arg: Node?, _ at: SourceLocation, _ options: inout StepOptions) throws(FlowError) -> Command {
        guard let arg else { throw FlowError("shortcut needs name (and params)", at: at) }
        if let scalar = arg.scalar { return .shortcut(name: scalar.string, params: []) }
        let args = try ArgumentReader(command: name, node: arg, file: file)
        guard let shortcutName = try args.string("name") else { throw FlowError("shortcut needs name", at: at) }
        var params: [(key: String, value: String)] = []
        if let node = args.value("params") {
            guard let mapping = node.mapping else {
                throw FlowError("shortcut.params should be a mapping of name: value, not \(node.kindName)", at: location(node))
            }
            for (key, value) in mapping {
                params.append(
                    (try ArgumentReader.text(key, "shortcut.params name", file: file), try ArgumentReader.text(value, "shortcut.params value", file: file)))
            }
        }
        try options.read(args)
        try args.finish(allowed: ["name", "params"] + StepOptions.keys)
        return .shortcut(name: shortcutName, params: params)
    }

    func shell(_ name: String, _ arg: Node?, _ at: SourceLocation, _ options: inout StepOptions) throws(FlowError) -> Command {
        guard let arg else { throw FlowError("shell needs a command", at: at) }
        if let scalar = arg.scalar {
            var spec = ShellSpec(command: scalar.string)
            spec.expectExitCode = 0
            return .shell(spec)
        }
        let args = try ArgumentReader(command: name, node: arg, file: file)
        guard let command = try args.string("command") else { throw FlowError("shell needs command", at: at) }
        var spec = ShellSpec(command: command)
        spec.expectExitCode = 0
        if let node = args.value("expect") {
            let expect = try ArgumentReader(command: "shell.expect", node: node, file: file)
            spec.expectOutput = try expect.string("output")
            if let output = spec.expectOutput, (try? NSRegularExpression(pattern: output)) == nil {
                throw FlowError("shell.expect.output is not a valid regular expression: \(output)", at: expect.value("output")?.location(in: file))
            }
            if expect.has("exitCode") {
                let code = try expect.string("exitCode")
                if code == "any" { spec.expectExitCode = nil } else { spec.expectExitCode = Int32(try expect.int("exitCode") ?? 0) }
            }
            try expect.finish(allowed: ["output", "exitCode"])
        }
        spec.outputVariable = try args.string("saveOutputAs")
        if let variable = spec.outputVariable, !Expression.isName(variable) {
            throw FlowError("shell.saveOutputAs should be a variable name, not \"\(variable)\"", at: at)
        }
        try options.read(args)
        try args.finish(allowed: ["command", "expect", "saveOutputAs"] + StepOptions.keys)
        return .shell(spec)
    }
}
