import ADB
import Foundation

extension Toolbox {
    /// `grep [-EFivcnqolhHwx] [-e PATTERN]… [PATTERN] [FILE…]`: 0 when a line matched, 1 when none,
    /// 2 on a bad pattern or missing file.
    static let grep: Command = { argv, context, io in
        var patterns: [String] = []
        var args: [String] = []
        var rest = Array(argv.dropFirst())[...]
        while let a = rest.popFirst() {
            if a == "-e" { if let p = rest.popFirst() { patterns.append(p) }; continue }
            if a.hasPrefix("-e"), a.count > 2, !a.hasPrefix("--") { patterns.append(String(a.dropFirst(2))); continue }
            args.append(a)
        }
        var o = try ToolboxOptions(args, command: "grep", flags: "EFivcnqolhHwxsr")
        if o.has("r") { throw ShellError.notSupported("grep -r") }
        if patterns.isEmpty {
            guard !o.operands.isEmpty else {
                try await io.err("usage: grep [-EFivcnqolhHwx] [-e PATTERN]... PATTERN [FILE]...\n")
                return 2
            }
            patterns.append(o.operands.removeFirst())
        }
        let extended = o.has("E") || argv[0] == "egrep"
        let fixed = o.has("F") || argv[0] == "fgrep"
        var sources: [String] = []
        for pattern in patterns.flatMap({ $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }) {
            var source = fixed ? NSRegularExpression.escapedPattern(for: pattern) : ToolboxRegex.translate(pattern, extended: extended)
            if o.has("w") { source = "\\b(?:" + source + ")\\b" }
            if o.has("x") { source = "^(?:" + source + ")$" }
            sources.append("(?:" + source + ")")
        }
        guard let regex = try? NSRegularExpression(pattern: sources.joined(separator: "|"), options: o.has("i") ? [.caseInsensitive] : []) else {
            try await io.err("grep: bad regex '\(patterns.joined(separator: " "))'\n")
            return 2
        }
        let files = o.operands.isEmpty ? ["-"] : o.operands
        let prefix = (files.count > 1 || o.has("H")) && !o.has("h")
        var matchedAny = false
        var status: Int32 = 0
        for file in files {
            let bytes: [UInt8]
            if file == "-" {
                bytes = await ToolboxContext.readAll(io.stdin)
            } else if let b = await context.read(file) {
                bytes = b
            } else {
                if !o.has("s") { try await io.err("grep: \(file): No such file or directory\n") }
                status = 2
                continue
            }
            let name = file == "-" ? "(standard input)" : file
            var count = 0
            var out = ""
            for (n, line) in toolboxLines(bytes).enumerated() {
                let ns = line as NSString
                let matches = regex.matches(in: line, range: NSRange(location: 0, length: ns.length))
                if matches.isEmpty != o.has("v") { continue }
                count += 1
                if o.has("q") { return 0 }
                if o.has("l") || o.has("c") { continue }
                let head = (prefix ? name + ":" : "") + (o.has("n") ? "\(n + 1):" : "")
                if o.has("o"), !o.has("v") {
                    for m in matches where m.range.length > 0 { out += head + ns.substring(with: m.range) + "\n" }
                } else {
                    out += head + line + "\n"
                }
            }
            if count > 0 { matchedAny = true }
            if o.has("l") { if count > 0 { out = name + "\n" } } else if o.has("c") { out = (prefix ? name + ":" : "") + "\(count)\n" }
            try await io.out(out)
        }
        if status != 0, !(o.has("s") && matchedAny) { return status }
        return matchedAny ? 0 : 1
    }
}
