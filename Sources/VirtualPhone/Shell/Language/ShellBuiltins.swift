import ADB

/// The commands that change the shell itself (`cd`, `export`, `exit` …) or need it (`eval`,
/// `sh`, `command -v`). Known builtins this shell does not implement exit 2, saying so.
extension ShellInterpreter {
    static let unsupportedBuiltins: Set<String> = [
        "read", "readonly", "local", "typeset", "trap", "wait", "jobs", "fg", "bg", "alias", "unalias",
        "getopts", ".", "source", "exec", "ulimit", "umask", "times", "type", "let", "print", "hash", "kill"
    ]
    static let builtinNames: Set<String> = [
        ":", "true", "false", "exit", "return", "break", "continue", "cd", "pwd", "export", "unset", "set",
        "shift", "eval", "command", "which", "sh", "test", "["
    ]

    /// Runs a builtin, or returns nil when `argv[0]` is none.
    func builtin(_ argv: [String], environment: [String: String], state: inout ShellState, io: ShellIO) async throws -> Int32? {
        let name = argv[0]
        let args = Array(argv.dropFirst())
        if Self.unsupportedBuiltins.contains(name) { throw ShellError.notSupported(name) }
        switch name {
        case ":", "true": return 0
        case "false": return 1
        case "test", "[": return await ShellTest.run(name, args, files: files, cwd: state.cwd, io: io)
        case "exit", "return":
            var status = state.lastStatus
            if let first = args.first {
                guard let n = Int(first), n >= 0 else {
                    try? await io.err("sh: \(name): \(first): bad number\n")
                    throw ShellControl.exit(2)
                }
                status = Int32(n & 0xff)
            }
            throw name == "exit" ? ShellControl.exit(status) : ShellControl.returnFunction(status)
        case "break", "continue":
            let n = args.first.flatMap { Int($0) } ?? 1
            guard n >= 1 else {
                try? await io.err("sh: \(name): \(args[0]): bad number\n")
                return 1
            }
            throw name == "break" ? ShellControl.breakLoop(n) : ShellControl.continueLoop(n)
        case "cd": return try await cd(args, state: &state, io: io)
        case "pwd":
            try await io.out(state.cwd + "\n")
            return 0
        case "export":
            if args.isEmpty || args == ["-p"] {
                for (k, v) in state.environment.sorted(by: { $0.key < $1.key }) { try await io.out("export \(k)=\(ShellQuoting.quote(v))\n") }
                return 0
            }
            for a in args {
                let parts = a.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = String(parts[0])
                guard ShellParser.isName(key) else {
                    try? await io.err("sh: export: \(key): bad variable name\n")
                    return 1
                }
                if parts.count == 2 { state.variables[key] = String(parts[1]) }
                state.exported.insert(key)
            }
            return 0
        case "unset":
            let functions = args.first == "-f"
            for a in args where a != "-f" && a != "-v" {
                if functions {
                    state.functions[a] = nil
                } else {
                    state.variables[a] = nil
                    state.exported.remove(a)
                }
            }
            return 0
        case "set":
            if args.isEmpty {
                for (k, v) in state.variables.sorted(by: { $0.key < $1.key }) { try await io.out("\(k)=\(ShellQuoting.quote(v))\n") }
                return 0
            }
            if args[0] == "--" { state.positional = Array(args.dropFirst()); return 0 }
            if args[0].hasPrefix("-") || args[0].hasPrefix("+") { throw ShellError.notSupported("set \(args[0])") }
            state.positional = args
            return 0
        case "shift":
            let n = args.first.flatMap { Int($0) } ?? 1
            guard n >= 0, n <= state.positional.count else {
                try? await io.err("sh: shift: can't shift that many\n")
                return 1
            }
            state.positional.removeFirst(n)
            return 0
        case "eval":
            let node = try ShellParser.parse(args.joined(separator: " "))
            return try await execute(node, state: &state, io: io)
        case "command":
            guard let first = args.first else { return 0 }
            if first == "-v" || first == "-V" {
                var status: Int32 = 0
                for n in args.dropFirst() {
                    if let found = locate(n, state: state) { try await io.out(found + "\n") } else { status = 1 }
                }
                return status
            }
            if first.hasPrefix("-") { throw ShellError.notSupported("command \(first)") }
            return try await invoke(args, environment: state.environment, state: &state, io: io, functions: false)
        case "which":
            var status: Int32 = 0
            for n in args where !n.hasPrefix("-") {
                if let found = locate(n, state: state), found.hasPrefix("/") { try await io.out(found + "\n") } else { status = 1 }
            }
            return status
        case "sh": return try await sh(args, environment: environment, state: state, io: io)
        default: return nil
        }
    }

    /// Where `command -v` finds a name: builtins and functions by name, programs in /system/bin.
    private func locate(_ name: String, state: ShellState) -> String? {
        if state.functions[name] != nil || Self.builtinNames.contains(name) && name != "sh" && name != "which" { return name }
        if Toolbox.names.contains(name) || host.commandNames.contains(name) || name == "sh" || name == "which" { return "/system/bin/" + name }
        if name.contains("/"), files.exists(state.absolute(name)) { return name }
        return nil
    }

    private func cd(_ args: [String], state: inout ShellState, io: ShellIO) async throws -> Int32 {
        var target = args.first ?? state.variables["HOME"] ?? "/"
        if target == "-" { target = state.variables["OLDPWD"] ?? state.cwd }
        let path = Self.normalize(state.absolute(target))
        guard files.isDirectory(path) else {
            try? await io.err("sh: cd: \(target): \(files.exists(path) ? "Not a directory" : "No such file or directory")\n")
            return 1
        }
        if args.first == "-" { try await io.out(path + "\n") }
        state.variables["OLDPWD"] = state.cwd
        state.cwd = path
        state.variables["PWD"] = path
        return 0
    }

    /// An absolute path without `.`, `..` or repeated slashes.
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for component in path.split(separator: "/") {
            if component == "." { continue }
            if component == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(component)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// `sh -c SCRIPT [NAME [ARG…]]`, `sh FILE [ARG…]`, or `sh` reading the script from stdin.
    private func sh(_ args: [String], environment: [String: String], state: ShellState, io: ShellIO) async throws -> Int32 {
        var child = ShellState(environment: environment, pid: state.pid + 1)
        child.cwd = state.cwd
        if args.first == "-c" {
            guard args.count >= 2 else {
                try? await io.err("sh: -c: option requires an argument\n")
                return 2
            }
            if args.count > 2 { child.scriptName = args[2] }
            child.positional = Array(args.dropFirst(3))
            return await run(args[1], state: &child, io: io)
        }
        if let first = args.first, first.hasPrefix("-") { throw ShellError.notSupported("sh \(first)") }
        let text: String
        if let file = args.first {
            guard let bytes = await readFile(state.absolute(file)) else {
                try? await io.err("sh: \(file): No such file or directory\n")
                return 127
            }
            text = String(decoding: bytes, as: UTF8.self)
            child.scriptName = file
            child.positional = Array(args.dropFirst())
        } else {
            var bytes: [UInt8] = []
            for await chunk in io.stdin { bytes += chunk }
            text = String(decoding: bytes, as: UTF8.self)
        }
        return await run(text, state: &child, io: io)
    }
}
