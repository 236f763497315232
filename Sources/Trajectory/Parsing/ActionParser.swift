import Foundation

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
                throw ActionParseError(
                    kind: .syntax, reason: failure.reason,
                    excerpt: excerpt(s, failure.start, min(s.count, failure.start + 80)))
            }
            chosen = recovered
        } else if let last = scan.calls.last {
            if tagged, scan.calls.count > 1 {
                throw ActionParseError(
                    kind: .ambiguous,
                    reason: "the answer holds \(scan.calls.count) actions; give exactly one",
                    excerpt: excerpt(s, regionStart, min(s.count, regionStart + 120)))
            }
            chosen = last
        } else {
            let body = String(String.UnicodeScalarView(s[regionStart...])).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ActionParseError(
                kind: .noAction,
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
                after.distance(from: after.startIndex, to: close.lowerBound) <= 40
            {
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
                open + 1 < end, s[open + 1] == "/"
            {
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
}
