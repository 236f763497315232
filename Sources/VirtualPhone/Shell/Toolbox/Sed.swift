import ADB
import Foundation

extension Toolbox {
    /// The sed phone tools use: `-n`, `-e`, `-E`/`-r`, `-i`; commands `s///` (flags `g`, `p`, `i`,
    /// a number), `d`, `p`, `q`, `=`, with addresses `N`, `$`, `/RE/`, ranges and `!`. Other
    /// commands are refused as not supported.
    static let sed: Command = { argv, context, io in
        var scripts: [String] = []
        var args: [String] = []
        var rest = Array(argv.dropFirst())[...]
        while let a = rest.popFirst() {
            if a == "-e" { if let s = rest.popFirst() { scripts.append(s) }; continue }
            args.append(a)
        }
        var o = try ToolboxOptions(args, command: "sed", flags: "nEri")
        if scripts.isEmpty {
            guard !o.operands.isEmpty else {
                try await io.err("usage: sed [-inrE] [-e SCRIPT] [SCRIPT] [FILE...]\n")
                return 1
            }
            scripts.append(o.operands.removeFirst())
        }
        let program: SedProgram
        do { program = try SedProgram(scripts.joined(separator: "\n"), extended: o.has("E") || o.has("r")) } catch let error as SedProgram.Failure {
            if error.unsupported { throw ShellError.notSupported(error.message) }
            try await io.err("sed: \(error.message)\n")
            return 1
        }
        if o.has("i") {
            var status: Int32 = 0
            for file in o.operands {
                guard let bytes = await context.read(file), let host = context.hostPath(file) else {
                    try await io.err("sed: \(file): No such file or directory\n")
                    status = 1
                    continue
                }
                var state = program
                let out = state.run(toolboxLines(bytes), quiet: o.has("n"), endsWithNewline: bytes.last == 10 || bytes.isEmpty)
                FileManager.default.createFile(atPath: host, contents: Data(out.utf8))
            }
            return status
        }
        let (bytes, status) = try await context.inputs(o.operands, "sed", io: io)
        var state = program
        try await io.out(state.run(toolboxLines(bytes), quiet: o.has("n"), endsWithNewline: bytes.last == 10 || bytes.isEmpty))
        return status
    }
}

/// A parsed sed script and the range state of its commands.
struct SedProgram {
    struct Failure: Error {
        var message: String
        var unsupported = false
    }

    enum Address {
        case line(Int)
        case last
        case regex(NSRegularExpression)
    }

    enum Action {
        case substitute(NSRegularExpression, replacement: String, global: Bool, occurrence: Int, print: Bool)
        case delete, print, quit, lineNumber
    }

    struct Command {
        var from: Address?
        var to: Address?
        var negate = false
        var action: Action
        var inRange = false
    }

    var commands: [Command] = []

    init(_ script: String, extended: Bool) throws(Failure) {
        var chars = Array(script)[...]
        func skipSpace() { while let c = chars.first, c == " " || c == "\t" || c == ";" || c == "\n" { chars.removeFirst() } }
        func delimited(_ d: Character) throws(Failure) -> String {
            var s = ""
            while let c = chars.popFirst() {
                if c == "\\", let n = chars.first {
                    chars.removeFirst()
                    if n == d { s.append(n) } else if n == "n" { s += "\n" } else { s += "\\" + String(n) }
                    continue
                }
                if c == d { return s }
                s.append(c)
            }
            throw Failure(message: "unterminated '\(d)' in script")
        }
        func regex(_ source: String, ignoreCase: Bool = false) throws(Failure) -> NSRegularExpression {
            guard let r = ToolboxRegex.make(source, extended: extended, ignoreCase: ignoreCase) else { throw Failure(message: "bad regex '\(source)'") }
            return r
        }
        func address() throws(Failure) -> Address? {
            if let c = chars.first, c.isNumber {
                var n = ""
                while let d = chars.first, d.isNumber { n.append(d); chars.removeFirst() }
                return .line(Int(n) ?? 0)
            }
            if chars.first == "$" { chars.removeFirst(); return .last }
            if chars.first == "/" { chars.removeFirst(); return .regex(try regex(try delimited("/"))) }
            return nil
        }
        skipSpace()
        while !chars.isEmpty {
            var command = Command(action: .print)
            command.from = try address()
            if command.from != nil, chars.first == "," {
                chars.removeFirst()
                guard let to = try address() else { throw Failure(message: "bad range in script") }
                command.to = to
            }
            while chars.first == " " { chars.removeFirst() }
            if chars.first == "!" { command.negate = true; chars.removeFirst() }
            guard let c = chars.popFirst() else { throw Failure(message: "missing command") }
            switch c {
            case "d": command.action = .delete
            case "p": command.action = .print
            case "q": command.action = .quit
            case "=": command.action = .lineNumber
            case "s":
                guard let d = chars.popFirst() else { throw Failure(message: "unterminated 's' command") }
                let pattern = try delimited(d)
                let replacement = try delimited(d)
                var global = false, print = false, ignoreCase = false, occurrence = 1
                while let f = chars.first, f != ";", f != "\n", f != "}" {
                    chars.removeFirst()
                    switch f {
                    case "g": global = true
                    case "p": print = true
                    case "i", "I": ignoreCase = true
                    case " ": break
                    default:
                        guard let n = f.wholeNumberValue else { throw Failure(message: "sed s///\(f)", unsupported: true) }
                        occurrence = n
                    }
                }
                command.action = .substitute(try regex(pattern, ignoreCase: ignoreCase), replacement: replacement, global: global, occurrence: occurrence, print: print)
            default:
                throw Failure(message: "sed command '\(c)'", unsupported: true)
            }
            commands.append(command)
            skipSpace()
        }
    }

    /// Runs the script over the lines; returns the output text.
    mutating func run(_ lines: [String], quiet: Bool, endsWithNewline: Bool) -> String {
        var out = ""
        for (index, original) in lines.enumerated() {
            let number = index + 1
            let isLast = index == lines.count - 1
            var line = original
            var deleted = false
            var quit = false
            for k in commands.indices {
                guard selects(k, line: line, number: number, isLast: isLast) else { continue }
                switch commands[k].action {
                case .delete: deleted = true
                case .print: out += line + "\n"
                case .quit: quit = true
                case .lineNumber: out += "\(number)\n"
                case .substitute(let regex, let replacement, let global, let occurrence, let print):
                    if let replaced = Self.substitute(line, regex, replacement, global: global, occurrence: occurrence) {
                        line = replaced
                        if print { out += line + "\n" }
                    }
                }
                if deleted || quit { break }
            }
            if !deleted && !quiet { out += line + (isLast && !endsWithNewline ? "" : "\n") }
            if quit { break }
        }
        return out
    }

    private mutating func selects(_ k: Int, line: String, number: Int, isLast: Bool) -> Bool {
        func matches(_ a: Address) -> Bool {
            switch a {
            case .line(let n): return n == number
            case .last: return isLast
            case .regex(let r): return r.firstMatch(in: line, range: NSRange(location: 0, length: (line as NSString).length)) != nil
            }
        }
        var hit: Bool
        let c = commands[k]
        if let from = c.from {
            if let to = c.to {
                if c.inRange {
                    hit = true
                    if case .line(let n) = to, number >= n { commands[k].inRange = false } else if matches(to) { commands[k].inRange = false }
                } else if matches(from) {
                    hit = true
                    if case .line(let n) = to, n <= number { commands[k].inRange = false } else { commands[k].inRange = true }
                } else {
                    hit = false
                }
            } else {
                hit = matches(from)
            }
        } else {
            hit = true
        }
        return hit != c.negate
    }

    /// One substitution over a line; nil when nothing matched.
    static func substitute(_ line: String, _ regex: NSRegularExpression, _ replacement: String, global: Bool, occurrence: Int) -> String? {
        let ns = line as NSString
        let matches = regex.matches(in: line, range: NSRange(location: 0, length: ns.length))
        let chosen = global ? Array(matches.dropFirst(occurrence - 1)) : (matches.count >= occurrence ? [matches[occurrence - 1]] : [])
        guard !chosen.isEmpty else { return nil }
        var out = ""
        var position = 0
        for m in chosen {
            out += ns.substring(with: NSRange(location: position, length: m.range.location - position))
            var chars = Array(replacement)[...]
            while let c = chars.popFirst() {
                if c == "&" { out += ns.substring(with: m.range); continue }
                if c == "\\", let n = chars.popFirst() {
                    if let g = n.wholeNumberValue, g < m.numberOfRanges {
                        let r = m.range(at: g)
                        if r.location != NSNotFound { out += ns.substring(with: r) }
                    } else if n == "n" {
                        out += "\n"
                    } else if n == "t" {
                        out += "\t"
                    } else {
                        out.append(n)
                    }
                    continue
                }
                out.append(c)
            }
            position = m.range.location + m.range.length
        }
        return out + ns.substring(from: position)
    }
}
