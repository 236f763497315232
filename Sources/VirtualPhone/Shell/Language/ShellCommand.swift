import ADB

/// A simple command: expand its words and assignments, apply its redirections, and find what
/// runs it — a function, a shell builtin, a toybox command, the phone's own command, or a script
/// file — else `not found` (127).
extension ShellInterpreter {
    /// Builtins whose preceding assignments stay in the shell (POSIX "special built-ins").
    static let specialBuiltins: Set<String> = [":", "break", "continue", "eval", "exit", "export", "return", "set", "shift", "unset"]

    func simple(_ command: ShellSimpleCommand, state: inout ShellState, io: ShellIO) async throws -> Int32 {
        state.substitutionStatus = nil
        let argv = try await expandWords(command.words, state: &state, io: io)
        var assigned: [(String, String)] = []
        for (name, raw) in command.assignments {
            let value = try await expandWord(raw, state: &state, io: io, assignment: true)
            assigned.append((name, value))
            if argv.isEmpty { state.variables[name] = value }
        }
        guard let name = argv.first else {
            let status = state.substitutionStatus ?? 0
            return try await redirecting(command.redirects, state: &state, io: io) { _, _ in status }
        }
        if Self.specialBuiltins.contains(name) || state.functions[name] != nil {
            for (n, v) in assigned { state.variables[n] = v }
        }
        var environment = state.environment
        for (n, v) in assigned { environment[n] = v }
        let env = environment
        return try await redirecting(command.redirects, state: &state, io: io) { state, io in
            try await invoke(argv, environment: env, state: &state, io: io)
        }
    }

    /// Runs one command by name, with the environment its programs see.
    func invoke(_ argv: [String], environment: [String: String], state: inout ShellState, io: ShellIO, functions: Bool = true) async throws -> Int32 {
        let name = argv[0]
        if functions, let body = state.functions[name] {
            let saved = state.positional
            state.positional = Array(argv.dropFirst())
            defer { state.positional = saved }
            do { return try await execute(body, state: &state, io: io) } catch ShellControl.returnFunction(let status) { return status }
        }
        if let status = try await builtin(argv, environment: environment, state: &state, io: io) { return status }
        let context = ToolboxContext(files: files, cwd: state.cwd, environment: environment, host: host)
        do {
            if let status = try await Toolbox.run(argv, context: context, io: io) { return status }
        } catch let error as ShellError {
            throw error
        } catch let error as ShellPipeClosed {
            throw error  // as SIGPIPE: the stage ends, not just this command
        } catch {
            return 1
        }
        if let status = await host.run(argv, cwd: state.cwd, io: io) { return status }
        if name.contains("/") { return try await script(at: name, arguments: Array(argv.dropFirst()), environment: environment, state: state, io: io) }
        try? await io.err("sh: \(name): not found\n")
        return 127
    }

    /// `./script.sh`: a file of shell commands, run in a new shell.
    private func script(at path: String, arguments: [String], environment: [String: String], state: ShellState, io: ShellIO) async throws -> Int32 {
        let absolute = state.absolute(path)
        guard files.exists(absolute) else {
            try? await io.err("sh: \(path): not found\n")
            return 127
        }
        guard let bytes = await readFile(absolute), files.stat(absolute, follow: true).mode & 0o111 != 0 else {
            try? await io.err("sh: \(path): Permission denied\n")
            return 126
        }
        let text = String(decoding: bytes, as: UTF8.self)
        if text.hasPrefix("#!"), let line = text.split(separator: "\n").first, !line.hasSuffix("/sh") {
            throw ShellError.notSupported("running \(path) with \(line.dropFirst(2))")
        }
        var child = ShellState(environment: environment, pid: state.pid + 1)
        child.cwd = state.cwd
        child.scriptName = path
        child.positional = arguments
        return await run(text, state: &child, io: io)
    }
}
