import Foundation

/// What the parser read from one model reply.
public struct ParsedReply: Sendable, Equatable {
    /// The model's reasoning (inside `<think>`, or the text before the action when the server
    /// stripped the tags), trimmed.
    public var thinking: String
    /// The action call exactly as the model wrote it.
    public var actionText: String
    public var action: Action

    public init(thinking: String, actionText: String, action: Action) {
        self.thinking = thinking
        self.actionText = actionText
        self.action = action
    }

    /// The assistant turn as the transcript keeps it: `<think>…</think><answer>…</answer>`.
    public var transcriptText: String { "<think>\(thinking)</think><answer>\(actionText)</answer>" }
}

/// A reply that does not hold exactly one readable action. It is never an implicit "finish":
/// the loop asks the model again (see `correction`) and, failing that, stops the run as failed.
public struct ActionParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Nothing that looks like `do(` or `finish(`.
        case noAction
        /// A call that breaks the grammar (unterminated string, bad list, missing parenthesis…).
        case syntax
        /// A well-formed call with an unknown action name.
        case unknownAction(String)
        /// A known action whose arguments are missing or of the wrong type.
        case badArgument
        /// The answer holds more than one action.
        case ambiguous
    }

    public var kind: Kind
    /// What is wrong, for logs and for the model.
    public var reason: String
    /// The part of the reply the error is about (shortened).
    public var excerpt: String

    public var description: String {
        excerpt.isEmpty ? "cannot read an action from the model's reply: \(reason)"
            : "cannot read an action from the model's reply: \(reason) (in: \(excerpt))"
    }

    /// A short user turn telling the model what to fix.
    public func correction(in language: PromptLanguage) -> String {
        switch language {
        case .english:
            return "Your last reply could not be carried out: \(reason). Reply again in the format <think>…</think><answer>…</answer>, with exactly one action from the list in the answer."
        case .chinese:
            return "上一条回复无法执行：\(reason)。请按 <think>…</think><answer>…</answer> 的格式重新回复，answer 中只写一个列表中的动作。"
        }
    }
}

/// Reads the model's reply into an `Action`.
///
/// Tolerant of the forms servers and models produce: with or without `<think>`/`<answer>`
/// tags, a leaked `</answer>` or other closing tag after the call, box tokens
/// (`<|begin_of_box|>`), extra whitespace, single or double quotes. Exact about the rest:
/// strings are read with their escapes, the action comes from the answer (never from a call
/// the reasoning merely mentions), and anything that is not one well-formed action is an
/// `ActionParseError`.
public enum ActionParser {
    public static func parse(_ reply: String) throws(ActionParseError) -> ParsedReply {
        let text = stripSpecialTokens(reply)
        let s = Array(text.unicodeScalars)

        // Every well-formed call, found string-aware from the start: tags that sit inside one
        // (a Type text holding "<think>") are text, not structure.
        let all = scanCalls(s, from: 0)
        let spans = all.calls.map { $0.start..<$0.end }
        func tag(_ t: String, from: Int) -> Int? {
            var from = from
            while let i = find(s, t, from: from) {
                if !spans.contains(where: { $0.contains(i) }) { return i }
                from = i + 1
            }
            return nil
        }
        func lastTag(_ t: String) -> Int? {
            var last: Int?
            var from = 0
            while let i = tag(t, from: from) { last = i; from = i + 1 }
            return last
        }

        // Regions: reasoning and answer.
        let thinkOpen = tag("<think>", from: 0)
        let thinkClose = tag("</think>", from: thinkOpen.map { $0 + 7 } ?? 0)
        let afterThink = thinkClose.map { $0 + 8 } ?? 0
        var answerOpen = tag("<answer>", from: afterThink)
        if answerOpen == nil, thinkClose == nil { answerOpen = lastTag("<answer>") }

        let regionStart: Int
        let tagged: Bool
        if let a = answerOpen {
            regionStart = a + 8
            tagged = true
        } else if let c = thinkClose {
            regionStart = c + 8
            tagged = true
        } else {
            regionStart = thinkOpen.map { $0 + 7 } ?? 0
            tagged = false
        }

        var scan = ScanResult()
        scan.calls = all.calls.filter { $0.start >= regionStart }
        scan.trailingFailures = all.trailingFailures.filter { $0.start >= regionStart }
        let chosen: (call: Call, start: Int, end: Int)
        if let failure = scan.trailingFailures.first {
            // The last call-like text does not parse. An answer whose final string argument
            // holds bare quotes (`text="say "hi""`) is still recoverable when it ends the reply.
            guard let recovered = scan.trailingFailures.lazy.compactMap({ recoverLastStringArgument(s, from: $0.start) }).first else {
                throw ActionParseError(kind: .syntax, reason: failure.reason,
                                       excerpt: excerpt(s, failure.start, min(s.count, failure.start + 80)))
            }
            chosen = recovered
        } else if let last = scan.calls.last {
            if tagged, scan.calls.count > 1 {
                throw ActionParseError(kind: .ambiguous,
                                       reason: "the answer holds \(scan.calls.count) actions; give exactly one",
                                       excerpt: excerpt(s, regionStart, min(s.count, regionStart + 120)))
            }
            chosen = last
        } else {
            let body = String(String.UnicodeScalarView(s[regionStart...])).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ActionParseError(kind: .noAction,
                                   reason: "no do(action=…) or finish(message=…) call was found",
                                   excerpt: shorten(body))
        }

        let action = try makeAction(chosen.call, excerpt: excerpt(s, chosen.start, chosen.end))

        // Reasoning: inside <think>…</think>, else everything before the answer.
        var thinking: String
        if let o = thinkOpen {
            let end = thinkClose ?? answerOpen ?? chosen.start
            thinking = o + 7 <= end ? string(s, o + 7, end) : ""
        } else if let c = thinkClose {
            thinking = string(s, 0, c)
        } else {
            thinking = string(s, 0, answerOpen ?? chosen.start)
        }
        thinking = thinking.trimmingCharacters(in: .whitespacesAndNewlines)
        return ParsedReply(thinking: thinking, actionText: string(s, chosen.start, chosen.end), action: action)
    }

    // MARK: tokens and regions

    /// Removes `<|…|>` special tokens (box markers and the like) that some servers leave in.
    static func stripSpecialTokens(_ text: String) -> String {
        guard text.contains("<|") else { return text }
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "<|") {
            out += rest[..<open.lowerBound]
            let after = rest[open.upperBound...]
            if let close = after.range(of: "|>"),
               after[..<close.lowerBound].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
               after.distance(from: after.startIndex, to: close.lowerBound) <= 40 {
                rest = after[close.upperBound...]
            } else {
                out += "<|"
                rest = after
            }
        }
        return out + rest
    }

    static func find(_ s: [Unicode.Scalar], _ needle: String, from: Int) -> Int? {
        let n = Array(needle.unicodeScalars)
        guard !n.isEmpty, from >= 0, s.count >= n.count, from <= s.count - n.count else { return nil }
        var i = from
        while i <= s.count - n.count {
            if s[i] == n[0], Array(s[i..<(i + n.count)]) == n { return i }
            i += 1
        }
        return nil
    }

    static func findLast(_ s: [Unicode.Scalar], _ needle: String) -> Int? {
        var last: Int?
        var from = 0
        while let i = find(s, needle, from: from) {
            last = i
            from = i + 1
        }
        return last
    }

    static func string(_ s: [Unicode.Scalar], _ a: Int, _ b: Int) -> String {
        guard a < b else { return "" }
        return String(String.UnicodeScalarView(s[a..<b]))
    }

    static func shorten(_ s: String, limit: Int = 80) -> String {
        let flat = s.replacingOccurrences(of: "\n", with: " ")
        return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
    }

    static func excerpt(_ s: [Unicode.Scalar], _ a: Int, _ b: Int) -> String { shorten(string(s, a, b)) }

    // MARK: scanning for calls

    struct Call: Equatable {
        var function: String
        var arguments: [(key: String, value: Value)]

        static func == (l: Call, r: Call) -> Bool {
            l.function == r.function && l.arguments.map(\.key) == r.arguments.map(\.key)
                && l.arguments.map(\.value) == r.arguments.map(\.value)
        }

        func value(_ key: String) -> Value? { arguments.last(where: { $0.key == key })?.value }
    }

    indirect enum Value: Equatable {
        case string(String)
        case number(Double, text: String)
        case list([Value])
        case word(String)

        var typeName: String {
            switch self {
            case .string: "a string"
            case .number: "a number"
            case .list: "a list"
            case .word(let w): w
            }
        }
    }

    struct ScanResult {
        var calls: [(call: Call, start: Int, end: Int)] = []
        /// Call-like starts after the last good call that did not parse.
        var trailingFailures: [(start: Int, reason: String)] = []
    }

    static func isIdentifier(_ c: Unicode.Scalar) -> Bool {
        c == "_" || CharacterSet.alphanumerics.contains(c)
    }

    /// Walks the region; every `do(` / `finish(` that starts a well-formed call is recorded and
    /// skipped whole (so a `finish(` inside a string argument is not a call of its own).
    static func scanCalls(_ s: [Unicode.Scalar], from start: Int) -> ScanResult {
        var result = ScanResult()
        var i = start
        while i < s.count {
            let c = s[i]
            if c == "d" || c == "f", i == 0 || !isIdentifier(s[i - 1]) {
                var reader = CallReader(s: s, i: i)
                if let name = reader.identifier(), name == "do" || name == "finish" {
                    reader.skipSpace()
                    if reader.peek == "(" {
                        var full = CallReader(s: s, i: i)
                        do {
                            let call = try full.call()
                            result.calls.append((call, i, full.i))
                            result.trailingFailures = []
                            i = full.i
                            continue
                        } catch {
                            result.trailingFailures.append((i, error.reason))
                        }
                    }
                }
            }
            i += 1
        }
        return result
    }

    /// The last resort for an unbalanced final string: `name(…, key="<anything>")` where the
    /// reply ends (closing tags and whitespace aside) right after `")`. The value is everything
    /// between the opening quote and that final `")`, escapes read as usual.
    static func recoverLastStringArgument(_ s: [Unicode.Scalar], from start: Int) -> (call: Call, start: Int, end: Int)? {
        // Find the end of the reply, ignoring trailing whitespace and closing tags.
        var end = s.count
        while true {
            while end > start, CharacterSet.whitespacesAndNewlines.contains(s[end - 1]) { end -= 1 }
            if end > start, s[end - 1] == ">", let open = (start..<end).last(where: { s[$0] == "<" }),
               open + 1 < end, s[open + 1] == "/" {
                end = open
                continue
            }
            break
        }
        guard end - start >= 3, s[end - 1] == ")" else { return nil }
        let quote = s[end - 2]
        guard quote == "\"" || quote == "'" else { return nil }
        // Read the call up to the opening quote of its last argument.
        var reader = CallReader(s: s, i: start)
        guard let name = reader.identifier() else { return nil }
        reader.skipSpace()
        guard reader.take("(") else { return nil }
        var arguments: [(key: String, value: Value)] = []
        while true {
            reader.skipSpace()
            guard let key = reader.identifier() else { return nil }
            reader.skipSpace()
            guard reader.take("=") else { return nil }
            reader.skipSpace()
            if reader.peek == quote {
                // Is this the last argument? Try reading it normally first.
                var trial = reader
                if let v = try? trial.value() {
                    trial.skipSpace()
                    if trial.take(",") {
                        arguments.append((key, v))
                        reader = trial
                        continue
                    }
                }
                guard let raw = CallReader.unescape(Array(s[(reader.i + 1)..<(end - 2)])) else { return nil }
                arguments.append((key, .string(raw)))
                return (Call(function: name, arguments: arguments), start, end)
            }
            guard let v = try? reader.value() else { return nil }
            arguments.append((key, v))
            reader.skipSpace()
            guard reader.take(",") else { return nil }
        }
    }

    // MARK: call → Action

    static func makeAction(_ call: Call, excerpt: String) throws(ActionParseError) -> Action {
        func bad(_ reason: String) -> ActionParseError {
            ActionParseError(kind: .badArgument, reason: reason, excerpt: excerpt)
        }
        func text(_ key: String, in action: String) throws(ActionParseError) -> String? {
            switch call.value(key) {
            case nil: return nil
            case .string(let s)?: return s
            case .number(_, let t)?: return t
            case let v?: throw bad("\(action): \(key) must be a string, not \(v.typeName)")
            }
        }
        func required(_ key: String, in action: String) throws(ActionParseError) -> String {
            guard let v = try text(key, in: action) else { throw bad("\(action) needs \(key)=\"…\"") }
            return v
        }
        func point(_ key: String, in action: String) throws(ActionParseError) -> GridPoint {
            guard let v = call.value(key) else { throw bad("\(action) needs \(key)=[x,y]") }
            guard case .list(let items) = v, items.count == 2,
                  case .number(let x, _) = items[0], case .number(let y, _) = items[1],
                  x.isFinite, y.isFinite, abs(x) < 1e6, abs(y) < 1e6 else {
                throw bad("\(action): \(key) must be two numbers [x,y] on the 0–999 grid")
            }
            return GridPoint(x: Int(x.rounded()), y: Int(y.rounded()))
        }

        if call.function == "finish" {
            return .finish(message: try text("message", in: "finish") ?? "")
        }
        guard let actionName = try text("action", in: "do") else {
            throw bad("do(…) needs action=\"<name>\"")
        }
        let key = actionName.lowercased().filter { $0 != " " && $0 != "_" && $0 != "-" }
        switch key {
        case "launch":
            let app = try required("app", in: "Launch").trimmingCharacters(in: .whitespaces)
            guard !app.isEmpty else { throw bad("Launch needs a non-empty app") }
            return .launch(app: app)
        case "tap":
            return .tap(try point("element", in: "Tap"), sensitiveMessage: try text("message", in: "Tap"))
        case "type":
            return .type(try required("text", in: "Type"))
        case "typename":
            return .typeName(try required("text", in: "Type_Name"))
        case "swipe":
            return .swipe(from: try point("start", in: "Swipe"), to: try point("end", in: "Swipe"))
        case "longpress":
            return .longPress(try point("element", in: "Long Press"))
        case "doubletap":
            return .doubleTap(try point("element", in: "Double Tap"))
        case "back":
            return .back
        case "home":
            return .home
        case "wait":
            guard let raw = try text("duration", in: "Wait") else { return .wait(seconds: 1) }
            guard let seconds = WaitDuration.seconds(raw) else {
                throw bad("Wait: cannot read the duration \"\(raw)\"; write it as duration=\"2 seconds\"")
            }
            return .wait(seconds: seconds)
        case "takeover":
            return .takeOver(message: try text("message", in: "Take_over") ?? "")
        case "interact":
            return .interact
        case "note":
            return .note(message: try text("message", in: "Note") ?? "True")
        case "callapi":
            return .callAPI(instruction: try required("instruction", in: "Call_API"))
        case "shortcut":
            let name = try required("name", in: "Shortcut")
            var args: [String: String] = [:]
            for (k, v) in call.arguments where k != "action" && k != "name" {
                switch v {
                case .string(let s): args[k] = s
                case .number(_, let t): args[k] = t
                case .word(let w) where w == "True" || w == "False": args[k] = w == "True" ? "true" : "false"
                default: throw bad("Shortcut: \(k) must be a string or a number, not \(v.typeName)")
                }
            }
            return .shortcut(name: name, arguments: args)
        default:
            throw ActionParseError(kind: .unknownAction(actionName),
                                   reason: "\"\(actionName)\" is not an action; use one of Launch, Tap, Type, Type_Name, Swipe, Long Press, Double Tap, Back, Home, Wait, Take_over, Interact, Note, Call_API, Shortcut or finish",
                                   excerpt: excerpt)
        }
    }
}

/// Durations as the model writes them for Wait: "2 seconds", "1.5s", "500 ms", "3 秒", "2".
public enum WaitDuration {
    public static func seconds(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        var number = ""
        var rest = Substring(t)
        while let c = rest.first, c.isNumber || c == "." {
            number.append(c)
            rest = rest.dropFirst()
        }
        guard let value = Double(number), value.isFinite, value >= 0 else { return nil }
        let unit = rest.trimmingCharacters(in: .whitespaces)
        switch unit {
        case "", "s", "sec", "secs", "second", "seconds", "秒", "秒钟": return value
        case "ms", "millisecond", "milliseconds", "毫秒": return value / 1000
        case "min", "mins", "minute", "minutes", "分钟": return value * 60
        default: return nil
        }
    }
}

/// A recursive-descent reader for one call: `name(key=value, …)` with Python-like literals.
struct CallReader {
    struct Failure: Error { var reason: String }

    let s: [Unicode.Scalar]
    var i: Int

    var peek: Unicode.Scalar? { i < s.count ? s[i] : nil }

    mutating func skipSpace() {
        while let c = peek, CharacterSet.whitespacesAndNewlines.contains(c) { i += 1 }
    }

    mutating func take(_ c: Unicode.Scalar) -> Bool {
        guard peek == c else { return false }
        i += 1
        return true
    }

    mutating func identifier() -> String? {
        let start = i
        while let c = peek, ActionParser.isIdentifier(c) { i += 1 }
        guard i > start, !("0"..."9").contains(s[start]) else {
            i = start
            return nil
        }
        return ActionParser.string(s, start, i)
    }

    mutating func call() throws(Failure) -> ActionParser.Call {
        guard let name = identifier() else { throw Failure(reason: "expected a call") }
        skipSpace()
        guard take("(") else { throw Failure(reason: "expected ( after \(name)") }
        var args: [(key: String, value: ActionParser.Value)] = []
        skipSpace()
        if take(")") { return .init(function: name, arguments: args) }
        while true {
            skipSpace()
            guard let key = identifier() else {
                if peek == nil { throw Failure(reason: "the call \(name)( is not closed") }
                throw Failure(reason: "expected an argument name in \(name)(…)")
            }
            skipSpace()
            guard take("=") else { throw Failure(reason: "expected = after \(key)") }
            skipSpace()
            let v = try value()
            args.append((key, v))
            skipSpace()
            if take(",") {
                skipSpace()
                if take(")") { return .init(function: name, arguments: args) }
                continue
            }
            if take(")") { return .init(function: name, arguments: args) }
            if peek == nil { throw Failure(reason: "the call \(name)( is not closed") }
            throw Failure(reason: "expected , or ) after the value of \(key)")
        }
    }

    mutating func value() throws(Failure) -> ActionParser.Value {
        guard let c = peek else { throw Failure(reason: "a value is missing at the end of the reply") }
        switch c {
        case "\"", "'":
            return .string(try stringLiteral())
        case "[":
            i += 1
            var items: [ActionParser.Value] = []
            skipSpace()
            if take("]") { return .list(items) }
            while true {
                skipSpace()
                items.append(try value())
                skipSpace()
                if take(",") { skipSpace(); if take("]") { return .list(items) }; continue }
                if take("]") { return .list(items) }
                throw Failure(reason: "expected , or ] in a list")
            }
        case "-", "+", "0"..."9", ".":
            let start = i
            i += 1
            while let d = peek, ("0"..."9").contains(d) || d == "." || d == "e" || d == "E" { i += 1 }
            let text = ActionParser.string(s, start, i)
            guard let v = Double(text) else { throw Failure(reason: "\(text) is not a number") }
            return .number(v, text: text)
        default:
            if let w = identifier() { return .word(w) }
            throw Failure(reason: "unexpected \"\(Character(c))\" where a value should be")
        }
    }

    /// A quoted string; the same quote closes it; escapes as in Python (\n \t \r \\ \" \' \uXXXX
    /// \xXX, a backslash before anything else stays as written).
    mutating func stringLiteral() throws(Failure) -> String {
        guard let quote = peek else { throw Failure(reason: "expected a string") }
        i += 1
        let start = i
        while let c = peek {
            if c == "\\" { i += 2; continue }
            if c == quote {
                guard let v = CallReader.unescape(Array(s[start..<i])) else {
                    throw Failure(reason: "a string holds a broken escape")
                }
                i += 1
                return v
            }
            i += 1
        }
        throw Failure(reason: "a string is not closed")
    }

    static func unescape(_ body: [Unicode.Scalar]) -> String? {
        var out = String.UnicodeScalarView()
        var k = 0
        func hex(_ n: Int) -> Unicode.Scalar? {
            guard k + 1 + n <= body.count else { return nil }
            let digits = String(String.UnicodeScalarView(body[(k + 1)..<(k + 1 + n)]))
            guard let v = UInt32(digits, radix: 16) else { return nil }
            return Unicode.Scalar(v)
        }
        while k < body.count {
            let c = body[k]
            guard c == "\\", k + 1 < body.count else { out.append(c); k += 1; continue }
            let e = body[k + 1]
            switch e {
            case "n": out.append("\n"); k += 2
            case "t": out.append("\t"); k += 2
            case "r": out.append("\r"); k += 2
            case "\\", "\"", "'": out.append(e); k += 2
            case "\n": k += 2
            case "u":
                k += 1
                guard let v = hex(4) else { return nil }
                out.append(v); k += 5
            case "x":
                k += 1
                guard let v = hex(2) else { return nil }
                out.append(v); k += 3
            default: out.append(c); out.append(e); k += 2
            }
        }
        return String(out)
    }
}
