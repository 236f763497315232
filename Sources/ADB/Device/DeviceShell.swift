/// Where a device-side command writes, and what it reads.
public struct ShellIO: Sendable {
    public var stdout: @Sendable ([UInt8]) async throws -> Void
    public var stderr: @Sendable ([UInt8]) async throws -> Void
    /// Standard input as it arrives; finishes at close-stdin or when the stream ends.
    public var stdin: AsyncStream<[UInt8]>

    public init(
        stdout: @escaping @Sendable ([UInt8]) async throws -> Void,
        stderr: @escaping @Sendable ([UInt8]) async throws -> Void,
        stdin: AsyncStream<[UInt8]> = AsyncStream { $0.finish() }
    ) {
        self.stdout = stdout
        self.stderr = stderr
        self.stdin = stdin
    }

    public func out(_ text: String) async throws { try await stdout(Array(text.utf8)) }
    public func err(_ text: String) async throws { try await stderr(Array(text.utf8)) }
}

/// The device's `/system/bin/sh -c`: what the `shell:` and `exec:` services run.
public protocol DeviceShell: Sendable {
    /// Runs one command line and returns its exit status (0–255).
    func run(_ commandLine: String, io: ShellIO) async -> Int32
}

/// Splits a command line as the device shell would: words with single quotes, double quotes and
/// backslashes, and the operators `;`, `&&`, `||` and `|` between commands.
public enum ShellSyntax {
    public enum Token: Sendable, Equatable {
        case word(String)
        case sequence  // ;
        case and  // &&
        case or  // ||
        case pipe  // |
    }

    public static func tokenize(_ line: String) throws(ADBError) -> [Token] {
        var tokens: [Token] = []
        var word = ""
        var inWord = false
        var chars = Array(line)
        chars.append("\n")
        var i = 0
        func flush() {
            if inWord { tokens.append(.word(word)) }
            word = ""
            inWord = false
        }
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "'":
                inWord = true
                i += 1
                while i < chars.count - 1, chars[i] != "'" { word.append(chars[i]); i += 1 }
                guard i < chars.count - 1 else { throw .invalidArgument("unterminated quoted string") }
            case "\"":
                inWord = true
                i += 1
                while i < chars.count - 1, chars[i] != "\"" {
                    if chars[i] == "\\", i + 1 < chars.count - 1, "\"\\$`".contains(chars[i + 1]) { i += 1 }
                    word.append(chars[i])
                    i += 1
                }
                guard i < chars.count - 1 else { throw .invalidArgument("unterminated quoted string") }
            case "\\":
                inWord = true
                if i + 1 < chars.count - 1 { i += 1; word.append(chars[i]) }
            case " ", "\t", "\n":
                flush()
            case ";":
                flush(); tokens.append(.sequence)
            case "&" where i + 1 < chars.count && chars[i + 1] == "&":
                flush(); tokens.append(.and); i += 1
            case "|" where i + 1 < chars.count && chars[i + 1] == "|":
                flush(); tokens.append(.or); i += 1
            case "|":
                flush(); tokens.append(.pipe)
            default:
                inWord = true
                word.append(c)
            }
            i += 1
        }
        return tokens
    }

    /// A command list: pipelines joined by `;`, `&&`, `||`.
    public struct Pipeline: Sendable, Equatable {
        public var commands: [[String]]
        /// How this pipeline joins the previous one (`.sequence` for the first).
        public var joiner: Token
    }

    /// Runs a command line as sh does: each pipeline through `runPipeline`, honouring `&&` and
    /// `||`. A syntax error goes to stderr with status 2; cancellation stops with 130.
    public static func run(
        _ commandLine: String, io: ShellIO, runPipeline: (_ commands: [[String]], _ io: ShellIO) async -> Int32
    ) async -> Int32 {
        let pipelines: [Pipeline]
        do {
            pipelines = try parse(commandLine)
        } catch {
            try? await io.err("/system/bin/sh: \(error.message)\n")
            return 2
        }
        var status: Int32 = 0
        for pipeline in pipelines {
            if pipeline.joiner == .and, status != 0 { continue }
            if pipeline.joiner == .or, status == 0 { continue }
            status = await runPipeline(pipeline.commands, io)
            if Task.isCancelled { return 130 }
        }
        return status
    }

    public static func parse(_ line: String) throws(ADBError) -> [Pipeline] {
        var pipelines: [Pipeline] = []
        var current: [[String]] = [[]]
        var joiner: Token = .sequence
        func finish(_ next: Token) throws(ADBError) {
            let commands = current.filter { !$0.isEmpty }
            if commands.count != current.count, !(current.count == 1 && commands.isEmpty) {
                throw .invalidArgument("syntax error: empty command in a pipeline")
            }
            if !commands.isEmpty { pipelines.append(Pipeline(commands: commands, joiner: joiner)) } else if next != .sequence || joiner != .sequence { throw .invalidArgument("syntax error near an operator") }
            current = [[]]
            joiner = next
        }
        for token in try tokenize(line) {
            switch token {
            case .word(let w): current[current.count - 1].append(w)
            case .pipe: current.append([])
            case .sequence, .and, .or: try finish(token)
            }
        }
        try finish(.sequence)
        return pipelines
    }
}
