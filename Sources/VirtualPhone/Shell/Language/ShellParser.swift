/// Recursive-descent parser for the POSIX shell grammar the virtual phone runs: lists, `&&`/`||`,
/// pipelines, `!`, simple commands with assignments and redirections, `( )`, `{ }`, `if`, `for`,
/// `while`, `until`, `case` and functions. Background jobs and here-documents are refused.
struct ShellParser {
    private var tokens: [ShellLexer.Token]
    private var index = 0

    static func parse(_ source: String) throws(ShellError) -> ShellNode {
        var parser = ShellParser(tokens: try ShellLexer.tokens(source))
        let node = try parser.parseList(until: [])
        guard parser.peek == .end else { throw .syntax("'\(parser.describe(parser.peek))' unexpected") }
        return node
    }

    private init(tokens: [ShellLexer.Token]) { self.tokens = tokens }

    private var peek: ShellLexer.Token { tokens[index] }
    private mutating func advance() -> ShellLexer.Token {
        let t = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return t
    }

    private func describe(_ token: ShellLexer.Token) -> String {
        switch token {
        case .word(let w): w
        case .ioNumber(let n): String(n)
        case .op(let o): o
        case .newline: "newline"
        case .end: "end of file"
        }
    }

    private func isWord(_ w: String) -> Bool { peek == .word(w) }

    private mutating func skipNewlines() { while peek == .newline { _ = advance() } }

    private mutating func expect(_ word: String) throws(ShellError) {
        skipNewlines()
        guard isWord(word) || peek == .op(word) else {
            throw .syntax(peek == .end ? "'\(word)' expected at end of file" : "'\(describe(peek))' unexpected, '\(word)' expected")
        }
        _ = advance()
    }

    private static let reserved: Set<String> = ["then", "else", "elif", "fi", "do", "done", "esac", "}", "in"]

    /// A list of and-or lists separated by `;` or newlines, ending before a reserved word in
    /// `terminators`, `)`, `;;` or the end.
    mutating func parseList(until terminators: Set<String>) throws(ShellError) -> ShellNode {
        var items: [ShellNode] = []
        while true {
            skipNewlines()
            switch peek {
            case .end: return .list(items)
            case .op(")"), .op(";;"): return .list(items)
            case .word(let w) where terminators.contains(w): return .list(items)
            case .word(let w) where Self.reserved.contains(w): throw .syntax("'\(w)' unexpected")
            default: break
            }
            items.append(try parseAndOr())
            switch peek {
            case .op(";"), .newline: _ = advance()
            case .op("&"): throw .notSupported("background jobs (&)")
            default: break
            }
        }
    }

    private mutating func parseAndOr() throws(ShellError) -> ShellNode {
        var node = try parsePipeline()
        while true {
            if peek == .op("&&") { _ = advance(); skipNewlines(); node = .and(node, try parsePipeline()) } else if peek == .op("||") { _ = advance(); skipNewlines(); node = .or(node, try parsePipeline()) } else { return node }
        }
    }

    private mutating func parsePipeline() throws(ShellError) -> ShellNode {
        var negated = false
        while isWord("!") { _ = advance(); negated.toggle() }
        var stages = [try parseCommand()]
        while peek == .op("|") {
            _ = advance()
            skipNewlines()
            stages.append(try parseCommand())
        }
        return stages.count == 1 && !negated ? stages[0] : .pipeline(stages, negated: negated)
    }

    private mutating func parseCommand() throws(ShellError) -> ShellNode {
        switch peek {
        case .op("("):
            _ = advance()
            let body = try parseList(until: [])
            try expect(")")
            return .subshell(body, try parseRedirects())
        case .word("{"):
            _ = advance()
            let body = try parseList(until: ["}"])
            try expect("}")
            return .group(body, try parseRedirects())
        case .word("if"): return try parseIf()
        case .word("while"), .word("until"):
            let until = advance() == .word("until")
            let condition = try parseList(until: ["do"])
            try expect("do")
            let body = try parseList(until: ["done"])
            try expect("done")
            return .loop(condition: condition, body: body, until: until, try parseRedirects())
        case .word("for"): return try parseFor()
        case .word("case"): return try parseCase()
        case .word(let name) where tokens.count > index + 2 && tokens[index + 1] == .op("(") && tokens[index + 2] == .op(")"):
            guard Self.isName(name) else { throw .syntax("bad function name '\(name)'") }
            index += 3
            skipNewlines()
            return .function(name: name, body: try parseCommand())
        default:
            return .simple(try parseSimple())
        }
    }

    private mutating func parseIf() throws(ShellError) -> ShellNode {
        _ = advance()
        var branches: [(condition: ShellNode, body: ShellNode)] = []
        var otherwise: ShellNode?
        while true {
            let condition = try parseList(until: ["then"])
            try expect("then")
            let body = try parseList(until: ["elif", "else", "fi"])
            branches.append((condition, body))
            if isWord("elif") { _ = advance(); continue }
            if isWord("else") {
                _ = advance()
                otherwise = try parseList(until: ["fi"])
            }
            try expect("fi")
            return .ifClause(branches, otherwise: otherwise, try parseRedirects())
        }
    }

    private mutating func parseFor() throws(ShellError) -> ShellNode {
        _ = advance()
        guard case .word(let name) = advance(), Self.isName(name) else { throw .syntax("bad for loop variable") }
        var words: [String]?
        skipNewlines()
        if isWord("in") {
            _ = advance()
            var list: [String] = []
            while case .word(let w) = peek { list.append(w); _ = advance() }
            words = list
        }
        if peek == .op(";") { _ = advance() }
        try expect("do")
        let body = try parseList(until: ["done"])
        try expect("done")
        return .forLoop(name: name, words: words, body: body, try parseRedirects())
    }

    private mutating func parseCase() throws(ShellError) -> ShellNode {
        _ = advance()
        guard case .word(let subject) = advance() else { throw .syntax("bad case subject") }
        try expect("in")
        var items: [(patterns: [String], body: ShellNode?)] = []
        while true {
            skipNewlines()
            if isWord("esac") { _ = advance(); break }
            if peek == .op("(") { _ = advance() }
            var patterns: [String] = []
            while true {
                guard case .word(let p) = advance() else { throw .syntax("bad case pattern") }
                patterns.append(p)
                if peek == .op("|") { _ = advance(); continue }
                break
            }
            guard advance() == .op(")") else { throw .syntax("')' expected after case pattern") }
            let body = try parseList(until: ["esac"])
            items.append((patterns, body))
            skipNewlines()
            if peek == .op(";;") { _ = advance(); continue }
            try expect("esac")
            break
        }
        return .caseClause(word: subject, items: items, try parseRedirects())
    }

    private mutating func parseRedirects() throws(ShellError) -> [ShellRedirect] {
        var out: [ShellRedirect] = []
        while let r = try parseRedirect() { out.append(r) }
        return out
    }

    private mutating func parseRedirect() throws(ShellError) -> ShellRedirect? {
        var fd: Int?
        if case .ioNumber(let n) = peek { fd = n; _ = advance() }
        guard case .op(let op) = peek, ["<", ">", ">>", ">|", "<&", ">&", "<<", "<<-", "<>"].contains(op) else {
            if fd != nil { throw .syntax("redirection expected") }
            return nil
        }
        _ = advance()
        if op == "<<" || op == "<<-" { throw .notSupported("here-documents (<<)") }
        if op == "<>" { throw .notSupported("read-write redirection (<>)") }
        guard case .word(let target) = advance() else { throw .syntax("'\(op)' needs a file name") }
        let operation: ShellRedirect.Operation =
            switch op {
            case "<": .read
            case ">>": .append
            case "<&": .duplicateInput
            case ">&": .duplicateOutput
            default: .write
            }
        return ShellRedirect(fd: fd ?? (op.hasPrefix("<") ? 0 : 1), operation: operation, target: target)
    }

    private mutating func parseSimple() throws(ShellError) -> ShellSimpleCommand {
        var command = ShellSimpleCommand()
        while true {
            if let r = try parseRedirect() { command.redirects.append(r); continue }
            guard case .word(let w) = peek else { break }
            if command.words.isEmpty, let eq = w.firstIndex(of: "="), Self.isName(String(w[..<eq])) {
                command.assignments.append((String(w[..<eq]), String(w[w.index(after: eq)...])))
            } else {
                if command.words.isEmpty, w == "(" { break }
                command.words.append(w)
            }
            _ = advance()
        }
        if command.words.isEmpty, command.assignments.isEmpty, command.redirects.isEmpty {
            throw .syntax(peek == .end ? "unexpected end of file" : "'\(describe(peek))' unexpected")
        }
        if peek == .op("(") { throw .syntax("'(' unexpected") }
        return command
    }

    static func isName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}
