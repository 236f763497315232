import Trajectory
import AndroidPhone
import Foundation
import Yams

extension Shortcut {
    /// Checks `arguments` against the parameters and renders the command.
    public func invocation(arguments: [String: String], timeZone: TimeZone = .current) throws(ShortcutError) -> ShortcutInvocation {
        for key in arguments.keys.sorted() where parameter(key) == nil {
            let known = parameters.map(\.name).joined(separator: ", ")
            throw ShortcutError("shortcut \(name) has no parameter \"\(key)\"; its parameters are: \(known.isEmpty ? "none" : known)")
        }
        var values: [String: String] = [:]
        var kinds: [String: ShortcutParameter.Kind] = [:]
        for p in parameters {
            kinds[p.name] = p.type
            guard let raw = arguments[p.name] else {
                if p.required { throw ShortcutError("shortcut \(name) needs \(p.name) (\(p.type.promptName))") }
                continue
            }
            values[p.name] = try p.normalized(raw, shortcut: name, timeZone: timeZone)
        }

        switch implementation {
        case .intent(let t):
            var words = ["am", "start", "-a", ShellQuoting.word(t.action)]
            if let data = t.data, let d = render(data, values, kinds, uri: true) {
                words += ["-d", ShellQuoting.word(d)]
            }
            if let type = t.mimeType { words += ["-t", ShellQuoting.word(type)] }
            for c in t.categories { words += ["-c", ShellQuoting.word(c)] }
            if let component = t.component {
                words += ["-n", ShellQuoting.word(component)]
            } else if let package = t.package {
                words += ["-p", ShellQuoting.word(package)]
            }
            for e in t.extras {
                guard let v = render(e.value, values, kinds, uri: false) else { continue }
                words += [e.kind.flag, ShellQuoting.word(e.key), ShellQuoting.word(v)]
            }
            return ShortcutInvocation(shortcut: name, command: words.joined(separator: " "), kind: .activityStart)
        case .deepLink(let url, let package):
            guard let u = render(url, values, kinds, uri: true) else {
                throw ShortcutError("shortcut \(name): the link needs a parameter that was not given")
            }
            var words = ["am", "start", "-a", "android.intent.action.VIEW", "-d", ShellQuoting.word(u)]
            if let package { words += ["-p", ShellQuoting.word(package)] }
            return ShortcutInvocation(shortcut: name, command: words.joined(separator: " "), kind: .activityStart)
        case .shell(let command):
            guard let tpl = try? Template(command, context: name),
                let cmd = tpl.render(values, encode: { _, v in ShellQuoting.word(v) })
            else {
                throw ShortcutError("shortcut \(name): the command needs a parameter that was not given")
            }
            return ShortcutInvocation(shortcut: name, command: cmd, kind: .shell)
        case .contentQuery(let q):
            var words = ["content", "query", "--uri", ShellQuoting.word(q.uri)]
            if !q.projection.isEmpty { words += ["--projection", ShellQuoting.word(q.projection.joined(separator: ":"))] }
            if let condition = q.condition {
                guard let tpl = try? Template(condition, context: name),
                    let sql = tpl.render(
                        values,
                        encode: { n, v in
                            if case .int = kinds[n] { return v }
                            return SQLQuote.literal(v)
                        })
                else {
                    throw ShortcutError("shortcut \(name): the query needs a parameter that was not given")
                }
                words += ["--where", ShellQuoting.word(sql)]
            }
            if let sort = q.sort { words += ["--sort", ShellQuoting.word(sort)] }
            return ShortcutInvocation(shortcut: name, command: words.joined(separator: " "), kind: .contentQuery)
        }
    }

    private func render(
        _ text: String, _ values: [String: String], _ kinds: [String: ShortcutParameter.Kind],
        uri: Bool
    ) -> String? {
        guard let tpl = try? Template(text, context: name) else { return nil }
        return tpl.render(values) { n, v in
            guard uri else { return v }
            if case .url = kinds[n] { return v }
            return URIComponent.encode(v)
        }
    }
}

extension ShortcutParameter {
    /// The value as it goes into a template, after checking it fits the type.
    func normalized(_ raw: String, shortcut: String, timeZone: TimeZone) throws(ShortcutError) -> String {
        let v = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        func bad(_ what: String) -> ShortcutError {
            ShortcutError("shortcut \(shortcut): \(name) = \"\(raw)\" is not \(what)")
        }
        switch type {
        case .text:
            guard raw.count <= 4000 else { throw bad("text of at most 4000 characters") }
            return raw
        case .phone:
            let allowed = Set("0123456789+*#,; -.()")
            guard !v.isEmpty, v.allSatisfy(allowed.contains), v.contains(where: \.isNumber) else {
                throw bad("a phone number (digits, +, *, #, spaces, dashes, parentheses)")
            }
            return v.filter { !" -.()".contains($0) }
        case .url:
            guard let u = URL(string: v), let scheme = u.scheme, !scheme.isEmpty,
                v.unicodeScalars.allSatisfy({ !CharacterSet.whitespacesAndNewlines.contains($0) })
            else {
                throw bad("an absolute URL such as https://example.com/page")
            }
            return v
        case .int(let lo, let hi):
            guard let n = Int(v) else { throw bad("a whole number") }
            if let lo, n < lo { throw bad("at least \(lo)") }
            if let hi, n > hi { throw bad("at most \(hi)") }
            return String(n)
        case .bool:
            switch v.lowercased() {
            case "true", "yes", "1": return "true"
            case "false", "no", "0": return "false"
            default: throw bad("true or false")
            }
        case .choice(let words):
            guard let w = words.first(where: { $0.caseInsensitiveCompare(v) == .orderedSame }) else {
                throw bad("one of \(words.joined(separator: ", "))")
            }
            return w
        case .dateTime:
            guard let ms = ShortcutParameter.epochMilliseconds(v, timeZone: timeZone) else {
                throw bad("a date and time written YYYY-MM-DD HH:MM")
            }
            return String(ms)
        }
    }

    static func epochMilliseconds(_ text: String, timeZone: TimeZone) -> Int64? {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "T" })
        guard parts.count == 2 else { return nil }
        let d = parts[0].split(separator: "-").compactMap { Int($0) }
        let t = parts[1].split(separator: ":").compactMap { Int($0) }
        guard d.count == 3, t.count == 2 || t.count == 3 else { return nil }
        var c = DateComponents()
        c.year = d[0]; c.month = d[1]; c.day = d[2]; c.hour = t[0]; c.minute = t[1]; c.second = t.count == 3 ? t[2] : 0
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        guard (1...12).contains(d[1]), (1...31).contains(d[2]), (0...23).contains(t[0]), (0...59).contains(t[1]),
            c.isValidDate(in: cal), let date = cal.date(from: c)
        else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}
