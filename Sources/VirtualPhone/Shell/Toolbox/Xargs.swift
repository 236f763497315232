import ADB

extension Toolbox {
    /// `xargs [-n N] [COMMAND [ARG…]]`: words from stdin (blanks and newlines; quotes refused)
    /// appended to the command (echo by default), N at a time.
    static let xargs: Command = { argv, context, io in
        let o = try ToolboxOptions(Array(argv.dropFirst()), command: "xargs", flags: "r", valued: "n", stopAtOperand: true)
        let command = o.operands.isEmpty ? ["echo"] : o.operands
        let text = String(decoding: await ToolboxContext.readAll(io.stdin), as: UTF8.self)
        if text.contains("\"") || text.contains("'") || text.contains("\\") { throw ShellError.notSupported("xargs with quotes in its input") }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        let size = o.values["n"].flatMap { Int($0) } ?? max(words.count, 1)
        guard size >= 1 else {
            try await io.err("xargs: -n must be at least 1\n")
            return 1
        }
        if words.isEmpty { return o.has("r") ? 0 : try await runProgram(command, context, ShellIO(stdout: io.stdout, stderr: io.stderr)) }
        var status: Int32 = 0
        var start = 0
        while start < words.count {
            let s = try await runProgram(command + words[start..<min(start + size, words.count)], context, ShellIO(stdout: io.stdout, stderr: io.stderr))
            if s != 0 { status = s == 127 ? 127 : 123 }
            start += size
        }
        return status
    }
}
