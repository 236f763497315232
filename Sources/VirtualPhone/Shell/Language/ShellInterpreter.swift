import ADB
import Foundation

/// Runs parsed scripts: lists, `&&`/`||`, pipelines (stages run concurrently; the last one in
/// this shell, as mksh does), subshells, groups, `if`/`for`/`while`/`until`/`case`, functions,
/// and simple commands — shell builtins first, then toybox commands, then the phone's own.
struct ShellInterpreter: Sendable {
    let files: DeviceFileSystem
    let host: any ShellHost

    /// Parses and runs a script; a syntax error or unsupported construct runs nothing and exits 2.
    func run(_ script: String, state: inout ShellState, io: ShellIO) async -> Int32 {
        let node: ShellNode
        do { node = try ShellParser.parse(script) } catch {
            try? await io.err(error.message + "\n")
            return error.status
        }
        return await runScript(node, state: &state, io: io)
    }

    /// Runs a parsed script to its end or its `exit`.
    func runScript(_ node: ShellNode, state: inout ShellState, io: ShellIO) async -> Int32 {
        do {
            return try await execute(node, state: &state, io: io)
        } catch let control as ShellControl {
            switch control {
            case .exit(let status), .returnFunction(let status): return status
            case .breakLoop, .continueLoop: return state.lastStatus
            }
        } catch let error as ShellError {
            try? await io.err(error.message + "\n")
            return error.status
        } catch {
            return 1
        }
    }

    func runSubshell(_ node: ShellNode, state: inout ShellState, io: ShellIO) async -> Int32 {
        await runScript(node, state: &state, io: io)
    }

    @discardableResult
    func execute(_ node: ShellNode, state: inout ShellState, io: ShellIO) async throws -> Int32 {
        let status: Int32
        switch node {
        case .simple(let command):
            status = try await simple(command, state: &state, io: io)
        case .list(let items):
            var last: Int32 = state.lastStatus
            if items.isEmpty { last = 0 }
            for item in items { last = try await execute(item, state: &state, io: io) }
            status = last
        case .and(let lhs, let rhs):
            let left = try await execute(lhs, state: &state, io: io)
            status = left == 0 ? try await execute(rhs, state: &state, io: io) : left
        case .or(let lhs, let rhs):
            let left = try await execute(lhs, state: &state, io: io)
            status = left != 0 ? try await execute(rhs, state: &state, io: io) : left
        case .pipeline(let stages, let negated):
            let s = try await pipeline(stages, state: &state, io: io)
            status = negated ? (s == 0 ? 1 : 0) : s
        case .subshell(let body, let redirects):
            status = try await redirecting(redirects, state: &state, io: io) { state, io in
                var copy = state
                return await runSubshell(body, state: &copy, io: io)
            }
        case .group(let body, let redirects):
            status = try await redirecting(redirects, state: &state, io: io) { state, io in try await execute(body, state: &state, io: io) }
        case .ifClause(let branches, let otherwise, let redirects):
            status = try await redirecting(redirects, state: &state, io: io) { state, io in
                for branch in branches where try await execute(branch.condition, state: &state, io: io) == 0 {
                    return try await execute(branch.body, state: &state, io: io)
                }
                if let otherwise { return try await execute(otherwise, state: &state, io: io) }
                return 0
            }
        case .forLoop(let name, let words, let body, let redirects):
            status = try await redirecting(redirects, state: &state, io: io) { state, io in
                let values = if let words { try await expandWords(words, state: &state, io: io) } else { state.positional }
                var last: Int32 = 0
                for value in values {
                    state.variables[name] = value
                    switch try await loopBody(body, state: &state, io: io) {
                    case .next(let s): last = s
                    case .stop(let s): return s
                    case .propagate(let control): throw control
                    }
                }
                return last
            }
        case .loop(let condition, let body, let until, let redirects):
            status = try await redirecting(redirects, state: &state, io: io) { state, io in
                var last: Int32 = 0
                while true {
                    let c = try await execute(condition, state: &state, io: io)
                    if (c == 0) == until { break }
                    switch try await loopBody(body, state: &state, io: io) {
                    case .next(let s): last = s
                    case .stop(let s): return s
                    case .propagate(let control): throw control
                    }
                }
                return last
            }
        case .caseClause(let word, let items, let redirects):
            status = try await redirecting(redirects, state: &state, io: io) { state, io in
                let subject = try await expandWord(word, state: &state, io: io)
                for item in items {
                    for raw in item.patterns where try await expandPattern(raw, state: &state, io: io).matches(subject) {
                        if let body = item.body { return try await execute(body, state: &state, io: io) }
                        return 0
                    }
                }
                return 0
            }
        case .function(let name, let body):
            state.functions[name] = body
            status = 0
        }
        state.lastStatus = status
        return status
    }

    enum LoopStep { case next(Int32), stop(Int32), propagate(ShellControl) }

    /// One pass of a loop body: `break`/`continue` of this loop handled, outer ones passed on.
    private func loopBody(_ body: ShellNode, state: inout ShellState, io: ShellIO) async throws -> LoopStep {
        do {
            return .next(try await execute(body, state: &state, io: io))
        } catch ShellControl.breakLoop(let n) {
            return n > 1 ? .propagate(.breakLoop(n - 1)) : .stop(0)
        } catch ShellControl.continueLoop(let n) {
            return n > 1 ? .propagate(.continueLoop(n - 1)) : .next(0)
        }
    }

    /// Stages run concurrently, connected by streams; a stage whose reader has finished gets a
    /// broken pipe on its next write. Earlier stages run on copies of the state, the last on it.
    private func pipeline(_ stages: [ShellNode], state: inout ShellState, io: ShellIO) async throws -> Int32 {
        guard stages.count > 1 else { return try await execute(stages[0], state: &state, io: io) }
        let pipes = (0..<(stages.count - 1)).map { _ in AsyncStream<[UInt8]>.makeStream() }
        func stageIO(_ n: Int) -> ShellIO {
            let stdin = n == 0 ? io.stdin : pipes[n - 1].stream
            guard n < pipes.count else { return ShellIO(stdout: io.stdout, stderr: io.stderr, stdin: stdin) }
            let continuation = pipes[n].continuation
            return ShellIO(
                stdout: { bytes in
                    if case .terminated = continuation.yield(bytes) { throw ShellPipeClosed() }
                    // Lets the reader run: stages may share one serial executor (the phone's), and a
                    // writer that never suspends (`while true; do echo; done | head`) would starve it.
                    await Task.yield()
                }, stderr: io.stderr, stdin: stdin)
        }
        let snapshot = state
        var last = state
        let status = await withTaskGroup(of: Void.self) { group in
            for n in 0..<(stages.count - 1) {
                let stageIO = stageIO(n)
                let stage = stages[n]
                group.addTask {
                    var copy = snapshot
                    _ = await runSubshell(stage, state: &copy, io: stageIO)
                    pipes[n].continuation.finish()
                    if n > 0 { pipes[n - 1].continuation.finish() }
                }
            }
            let s = await runScript(stages[stages.count - 1], state: &last, io: stageIO(stages.count - 1))
            pipes[pipes.count - 1].continuation.finish()
            await group.waitForAll()
            return s
        }
        last.lastStatus = status
        state = last
        return status
    }

    /// Runs `body` with redirections applied, closing opened files afterwards; a redirection that
    /// fails is reported and the body is not run (status 1).
    func redirecting(
        _ redirects: [ShellRedirect], state: inout ShellState, io: ShellIO,
        _ body: (inout ShellState, ShellIO) async throws -> Int32
    ) async throws -> Int32 {
        if redirects.isEmpty { return try await body(&state, io) }
        var opened: [ShellFileSink] = []
        defer { for sink in opened { sink.close() } }
        guard let redirected = try await apply(redirects, state: &state, io: io, opened: &opened) else { return 1 }
        return try await body(&state, redirected)
    }
}

struct ShellPipeClosed: Error {}
