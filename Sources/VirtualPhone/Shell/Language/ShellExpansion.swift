import ADB

/// Word expansion in sh's order: tilde, parameters, command substitution and arithmetic, then
/// field splitting on the unquoted results, globbing against the virtual file system, and quote
/// removal.
extension ShellInterpreter {
    /// One character of an expanded word, remembering whether it was quoted and whether it came
    /// from an expansion (only those are split).
    enum Piece: Sendable {
        case char(Character, quoted: Bool, expanded: Bool)
        /// Quoted text was here (`""` makes a field even when empty).
        case quotedMark
        /// A field ends here (`"$@"`).
        case fieldBreak
    }

    /// Expands command words into arguments (with field splitting and globbing).
    func expandWords(_ words: [String], state: inout ShellState, io: ShellIO) async throws -> [String] {
        var out: [String] = []
        for word in words {
            let pieces = try await expand(word, state: &state, io: io, mode: .word)
            for field in split(pieces, ifs: state.variables["IFS"] ?? " \t\n") {
                let pattern = ShellPattern(field.map { ShellPattern.Element(character: $0.0, literal: $0.1) })
                if pattern.hasWildcards {
                    let matches = glob(pattern, cwd: state.cwd)
                    if !matches.isEmpty { out += matches; continue }
                }
                out.append(String(field.map(\.0)))
            }
        }
        return out
    }

    /// Expands one word without splitting or globbing (assignments, redirection targets, `case`).
    func expandWord(_ word: String, state: inout ShellState, io: ShellIO, assignment: Bool = false) async throws -> String {
        let pieces = try await expand(word, state: &state, io: io, mode: assignment ? .assignment : .word)
        return String(pieces.compactMap { if case .char(let c, _, _) = $0 { c } else { nil } })
    }

    /// Expands a pattern word: quoted characters match literally.
    func expandPattern(_ word: String, state: inout ShellState, io: ShellIO) async throws -> ShellPattern {
        let pieces = try await expand(word, state: &state, io: io, mode: .word)
        return ShellPattern(pieces.compactMap { if case .char(let c, let q, _) = $0 { .init(character: c, literal: q) } else { nil } })
    }

    enum Mode { case word, assignment, doubleQuoted }

    func expand(_ word: String, state: inout ShellState, io: ShellIO, mode: Mode) async throws -> [Piece] {
        let chars = Array(word)
        var out: [Piece] = []
        let dq = mode == .doubleQuoted
        var i = 0
        func literal(_ s: String, quoted: Bool) -> [Piece] { s.map { .char($0, quoted: quoted, expanded: false) } }
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "'" where !dq:
                guard let end = chars[(i + 1)...].firstIndex(of: "'") else { throw ShellError.syntax("unterminated quoted string") }
                out.append(.quotedMark)
                out += literal(String(chars[(i + 1)..<end]), quoted: true)
                i = end + 1
            case "\"" where !dq:
                let end = try Self.closingQuote(chars, from: i + 1)
                let inner = String(chars[(i + 1)..<end])
                // "$@" with no parameters is no field at all, not an empty one.
                if !((inner == "$@" || inner == "${@}") && state.positional.isEmpty) { out.append(.quotedMark) }
                out += try await expand(inner, state: &state, io: io, mode: .doubleQuoted)
                i = end + 1
            case "\\":
                guard i + 1 < chars.count else { out.append(.char("\\", quoted: dq, expanded: false)); i += 1; continue }
                let next = chars[i + 1]
                if next == "\n" { i += 2; continue }
                if dq, !"$`\"\\".contains(next) { out.append(.char("\\", quoted: true, expanded: false)) }
                out.append(.char(next, quoted: true, expanded: false))
                i += 2
            case "`":
                var body = ""
                var j = i + 1
                while j < chars.count, chars[j] != "`" {
                    if chars[j] == "\\", j + 1 < chars.count, "$`\\".contains(chars[j + 1]) || (dq && chars[j + 1] == "\"") { j += 1 }
                    body.append(chars[j])
                    j += 1
                }
                guard j < chars.count else { throw ShellError.syntax("unterminated backquote") }
                out += pieces(try await substitute(body, state: &state, io: io), quoted: dq)
                i = j + 1
            case "$":
                let (pieceList, next) = try await dollar(chars, at: i, state: &state, io: io, dq: dq)
                out += pieceList
                i = next
            case "~" where i == 0 && !dq, "~" where mode == .assignment && (i == 0 || chars[i - 1] == ":"):
                var j = i + 1
                while j < chars.count, chars[j] != "/", chars[j] != ":" { j += 1 }
                let user = String(chars[(i + 1)..<j])
                if user.isEmpty, let home = state.variables["HOME"] {
                    out += literal(home, quoted: true)
                } else {
                    out += literal("~" + user, quoted: false)
                }
                i = j
            default:
                out.append(.char(c, quoted: dq, expanded: false))
                i += 1
            }
        }
        return out
    }

    private func pieces(_ text: String, quoted: Bool) -> [Piece] {
        text.map { .char($0, quoted: quoted, expanded: true) }
    }

    static func closingQuote(_ chars: [Character], from start: Int) throws(ShellError) -> Int {
        var j = start
        while j < chars.count, chars[j] != "\"" {
            if chars[j] == "\\" { j += 2; continue }
            if chars[j] == "$", j + 1 < chars.count, chars[j + 1] == "(" || chars[j + 1] == "{" {
                j = try closing(chars, from: j + 2, open: chars[j + 1], close: chars[j + 1] == "(" ? ")" : "}") + 1
                continue
            }
            if chars[j] == "`" {
                j += 1
                while j < chars.count, chars[j] != "`" { j += chars[j] == "\\" ? 2 : 1 }
            }
            j += 1
        }
        guard j < chars.count else { throw .syntax("unterminated quoted string") }
        return j
    }

    /// The index of the bracket closing one opened just before `start`, skipping quotes.
    static func closing(_ chars: [Character], from start: Int, open: Character, close: Character) throws(ShellError) -> Int {
        var depth = 1
        var j = start
        while j < chars.count {
            let c = chars[j]
            if c == "\\" { j += 2; continue }
            if c == "'" { j = (chars[(j + 1)...].firstIndex(of: "'") ?? chars.count) + 1; continue }
            if c == "\"" { j = try closingQuote(chars, from: j + 1) + 1; continue }
            if c == open {
                depth += 1
            } else if c == close {
                depth -= 1
                if depth == 0 { return j }
            }
            j += 1
        }
        throw .syntax("missing '\(close)'")
    }

    /// `$…` at `i`: the pieces it expands to and the index after it.
    private func dollar(_ chars: [Character], at i: Int, state: inout ShellState, io: ShellIO, dq: Bool) async throws -> ([Piece], Int) {
        guard i + 1 < chars.count else { return ([.char("$", quoted: dq, expanded: false)], i + 1) }
        let next = chars[i + 1]
        if next == "(" {
            if i + 2 < chars.count, chars[i + 2] == "(" {
                let end = try Self.closing(chars, from: i + 3, open: "(", close: ")")
                if end + 1 < chars.count, chars[end + 1] == ")" {
                    let expression = String(chars[(i + 3)..<end])
                    let expanded = try await expandWord(expression, state: &state, io: io)
                    let value = try ShellArithmetic.evaluate(expanded, state: &state)
                    return (pieces(String(value), quoted: dq), end + 2)
                }
            }
            let end = try Self.closing(chars, from: i + 2, open: "(", close: ")")
            return (pieces(try await substitute(String(chars[(i + 2)..<end]), state: &state, io: io), quoted: dq), end + 1)
        }
        if next == "{" {
            let end = try Self.closing(chars, from: i + 2, open: "{", close: "}")
            return (try await braced(String(chars[(i + 2)..<end]), state: &state, io: io, dq: dq), end + 1)
        }
        if next == "@" || next == "*" {
            return (positional(star: next == "*", dq: dq, state: state), i + 2)
        }
        if "?$#!-0123456789".contains(next) {
            return (pieces(special(next, state: state), quoted: dq), i + 2)
        }
        var j = i + 1
        while j < chars.count, chars[j] == "_" || (chars[j].isASCII && (chars[j].isLetter || (j > i + 1 && chars[j].isNumber))) { j += 1 }
        if j == i + 1 { return ([.char("$", quoted: dq, expanded: false)], i + 1) }
        let name = String(chars[(i + 1)..<j])
        return (pieces(state.variables[name] ?? "", quoted: dq), j)
    }

    private func special(_ c: Character, state: ShellState) -> String {
        switch c {
        case "?": String(state.lastStatus)
        case "$": String(state.pid)
        case "#": String(state.positional.count)
        case "!": ""
        case "-": ""
        case "0": state.scriptName
        default:
            Int(String(c)).flatMap { $0 <= state.positional.count ? state.positional[$0 - 1] : nil } ?? ""
        }
    }

    private func positional(star: Bool, dq: Bool, state: ShellState) -> [Piece] {
        if dq && star {
            let sep = (state.variables["IFS"] ?? " ").first.map(String.init) ?? ""
            return pieces(state.positional.joined(separator: sep), quoted: true)
        }
        var out: [Piece] = []
        for (n, p) in state.positional.enumerated() {
            if n > 0 { out.append(dq ? .fieldBreak : .char(" ", quoted: false, expanded: true)) }
            if dq { out.append(.quotedMark) }
            out += pieces(p, quoted: dq)
        }
        return out
    }

    private func value(of name: String, state: ShellState) throws(ShellError) -> String? {
        if let c = name.first, name.count == 1, "?$#!-0".contains(c) { return special(c, state: state) }
        if name == "@" || name == "*" { return state.positional.isEmpty ? nil : state.positional.joined(separator: " ") }
        if let n = Int(name) { return n >= 1 && n <= state.positional.count ? state.positional[n - 1] : nil }
        guard ShellParser.isName(name) else { throw .expansion("${\(name)}: bad substitution") }
        return state.variables[name]
    }

    /// `${…}`: the forms `name`, `#name`, `name:-w`, `-`, `:=`, `=`, `:?`, `?`, `:+`, `+`, `%`, `%%`, `#`, `##`.
    private func braced(_ body: String, state: inout ShellState, io: ShellIO, dq: Bool) async throws -> [Piece] {
        if body.hasPrefix("#"), body.count > 1 {
            return pieces(String(try value(of: String(body.dropFirst()), state: state)?.count ?? 0), quoted: dq)
        }
        let chars = Array(body)
        var j = 0
        if j < chars.count, "?$#!-@*".contains(chars[j]) || chars[j].isNumber {
            j += 1
            while chars[0].isNumber, j < chars.count, chars[j].isNumber { j += 1 }
        } else {
            while j < chars.count, chars[j] == "_" || (chars[j].isASCII && (chars[j].isLetter || chars[j].isNumber)) { j += 1 }
        }
        let name = String(chars[..<j])
        if name == "@" || name == "*", j == chars.count { return positional(star: name == "*", dq: dq, state: state) }
        let current = try value(of: name, state: state)
        let rest = String(chars[j...])
        if rest.isEmpty { return pieces(current ?? "", quoted: dq) }
        let ops = [":-", ":=", ":?", ":+", "%%", "##", "-", "=", "?", "+", "%", "#"]
        guard let op = ops.first(where: { rest.hasPrefix($0) }) else { throw ShellError.notSupported("${\(body)}") }
        let word = String(rest.dropFirst(op.count))
        let colon = op.hasPrefix(":")
        let isSet = current != nil && !(colon && current == "")
        func argument(_ state: inout ShellState) async throws -> [Piece] {
            try await expand(word, state: &state, io: io, mode: dq ? .doubleQuoted : .word)
        }
        func text(_ pieces: [Piece]) -> String { String(pieces.compactMap { if case .char(let c, _, _) = $0 { c } else { nil } }) }
        switch op {
        case ":-", "-": return isSet ? pieces(current ?? "", quoted: dq) : try await argument(&state)
        case ":+", "+": return isSet ? try await argument(&state) : []
        case ":=", "=":
            if isSet { return pieces(current ?? "", quoted: dq) }
            guard ShellParser.isName(name) else { throw ShellError.expansion("\(name): cannot assign in this way") }
            let assigned = text(try await argument(&state))
            state.variables[name] = assigned
            return pieces(assigned, quoted: dq)
        case ":?", "?":
            if isSet { return pieces(current ?? "", quoted: dq) }
            let message = text(try await argument(&state))
            throw ShellError.expansion("\(name): \(message.isEmpty ? "parameter not set" : message)")
        default:
            let pattern = try await expandPattern(word, state: &state, io: io)
            let stripped = pattern.strip(current ?? "", suffix: op.hasPrefix("%"), longest: op.count == 2)
            return pieces(stripped, quoted: dq)
        }
    }

    /// Runs `$(…)` in a subshell and returns its output without trailing newlines.
    func substitute(_ script: String, state: inout ShellState, io: ShellIO) async throws -> String {
        let node = try ShellParser.parse(script)
        let collected = ShellBuffer()
        var copy = state
        let subIO = ShellIO(stdout: { await collected.append($0) }, stderr: io.stderr, stdin: io.stdin)
        let status = await runSubshell(node, state: &copy, io: subIO)
        state.lastStatus = status
        state.substitutionStatus = status
        var text = String(decoding: await collected.bytes, as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// Field splitting: unquoted expansion results split at IFS characters.
    func split(_ pieces: [Piece], ifs: String) -> [[(Character, Bool)]] {
        var fields: [[(Character, Bool)]] = []
        var current: [(Character, Bool)] = []
        var exists = false
        for piece in pieces {
            switch piece {
            case .quotedMark: exists = true
            case .fieldBreak:
                fields.append(current)
                current = []
                exists = false
            case .char(let c, let quoted, let expanded):
                if expanded, !quoted, ifs.contains(c) {
                    if c == " " || c == "\t" || c == "\n" {
                        if exists || !current.isEmpty { fields.append(current) }
                    } else {
                        fields.append(current)
                    }
                    current = []
                    exists = false
                } else {
                    current.append((c, quoted))
                    exists = true
                }
            }
        }
        if exists || !current.isEmpty { fields.append(current) }
        return fields
    }

    /// The paths matching a pattern in the virtual file system, sorted; empty when none.
    func glob(_ pattern: ShellPattern, cwd: String) -> [String] {
        var components: [[ShellPattern.Element]] = [[]]
        for e in pattern.elements {
            if e.character == "/" { components.append([]) } else { components[components.count - 1].append(e) }
        }
        let absolute = pattern.elements.first?.character == "/"
        var results: [String] = [absolute ? "/" : ""]
        for (n, component) in components.enumerated() {
            if absolute && n == 0 { continue }
            let last = n == components.count - 1
            let part = ShellPattern(component)
            var next: [String] = []
            for prefix in results {
                if !part.hasWildcards {
                    let text = String(component.map(\.character))
                    let candidate = prefix + text
                    if last ? files.exists(absoluteIn(cwd, candidate)) : files.isDirectory(absoluteIn(cwd, candidate)) || text.isEmpty {
                        next.append(candidate + (last ? "" : "/"))
                    }
                    continue
                }
                let dir = prefix.isEmpty ? cwd : absoluteIn(cwd, prefix)
                let showHidden = component.first?.character == "."
                for name in (files.list(dir) + (showHidden ? [".", ".."] : [])).sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
                where (showHidden || !name.hasPrefix(".")) && part.matches(name) {
                    let path = prefix + name
                    if last { next.append(path) } else if files.isDirectory(absoluteIn(cwd, path)) { next.append(path + "/") }
                }
            }
            results = next
        }
        return results
    }

    private func absoluteIn(_ cwd: String, _ path: String) -> String {
        path.hasPrefix("/") ? path : (cwd == "/" ? "/" : cwd + "/") + path
    }
}

/// Bytes collected from a command's output.
actor ShellBuffer {
    var bytes: [UInt8] = []
    func append(_ b: [UInt8]) { bytes += b }
}
