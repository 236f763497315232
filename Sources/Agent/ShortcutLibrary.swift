import Trajectory
import AndroidPhone
import Foundation
import Yams

/// The shortcuts of a `Devices/shortcuts` folder, checked when loaded.
public struct ShortcutLibrary: Sendable {
    public static let format = 1

    public private(set) var shortcuts: [Shortcut]

    public init(shortcuts: [Shortcut]) throws(ShortcutError) {
        var seen: [String: String] = [:]
        for s in shortcuts {
            if let other = seen[s.name] {
                throw ShortcutError("shortcut \"\(s.name)\" is declared twice: in \(other) and in \(s.source)")
            }
            seen[s.name] = s.source
        }
        self.shortcuts = shortcuts
    }

    private init(unchecked shortcuts: [Shortcut]) { self.shortcuts = shortcuts }

    public static let empty = ShortcutLibrary(unchecked: [])

    /// Loads every `*.yaml` / `*.yml` file of `directory`, in name order.
    public static func load(directory: String) throws(ShortcutError) -> ShortcutLibrary {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ShortcutError("cannot list the shortcut folder \(directory): \(error.localizedDescription)")
        }
        var all: [Shortcut] = []
        for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path),
                  let text = String(data: data, encoding: .utf8) else {
                throw ShortcutError("\(path): cannot read the file as UTF-8 text")
            }
            all += try parse(yaml: text, source: path)
        }
        return try ShortcutLibrary(shortcuts: all)
    }

    /// The shortcuts of one YAML document.
    public static func parse(yaml: String, source: String) throws(ShortcutError) -> [Shortcut] {
        let file: FileDTO
        do {
            file = try YAMLDecoder().decode(FileDTO.self, from: yaml)
        } catch let error as DecodingError {
            throw ShortcutError("\(source): \(describe(error))")
        } catch {
            throw ShortcutError("\(source): not valid YAML: \(error)")
        }
        guard file.format == format else {
            throw ShortcutError("\(source): format \(file.format) is not supported; this Tether reads format \(format)")
        }
        var out: [Shortcut] = []
        for (i, dto) in (file.shortcuts ?? []).enumerated() {
            out.append(try dto.validated(source: source, index: i))
        }
        return out
    }

    /// The shortcuts whose app is installed.
    public func offered(installedPackages: Set<String>) -> [Shortcut] {
        shortcuts.filter { $0.isOffered(installedPackages: installedPackages) }
    }

    public func shortcut(named name: String) -> Shortcut? { shortcuts.first { $0.name == name } }

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let ctx):
            return "\(path(ctx.codingPath + [key])) is missing"
        case .typeMismatch(let type, let ctx):
            return "\(path(ctx.codingPath)) should be \(type): \(ctx.debugDescription)"
        case .valueNotFound(let type, let ctx):
            return "\(path(ctx.codingPath)) needs a \(type) value"
        case .dataCorrupted(let ctx):
            return "\(path(ctx.codingPath)): \(ctx.debugDescription) \(ctx.underlyingError.map { "\($0)" } ?? "")"
        @unknown default:
            return "\(error)"
        }
    }
}

// MARK: invocation

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
                  let cmd = tpl.render(values, encode: { _, v in ShellQuoting.word(v) }) else {
                throw ShortcutError("shortcut \(name): the command needs a parameter that was not given")
            }
            return ShortcutInvocation(shortcut: name, command: cmd, kind: .shell)
        case .contentQuery(let q):
            var words = ["content", "query", "--uri", ShellQuoting.word(q.uri)]
            if !q.projection.isEmpty { words += ["--projection", ShellQuoting.word(q.projection.joined(separator: ":"))] }
            if let condition = q.condition {
                guard let tpl = try? Template(condition, context: name),
                      let sql = tpl.render(values, encode: { n, v in
                          if case .int = kinds[n] { return v }
                          return SQLQuote.literal(v)
                      }) else {
                    throw ShortcutError("shortcut \(name): the query needs a parameter that was not given")
                }
                words += ["--where", ShellQuoting.word(sql)]
            }
            if let sort = q.sort { words += ["--sort", ShellQuoting.word(sort)] }
            return ShortcutInvocation(shortcut: name, command: words.joined(separator: " "), kind: .contentQuery)
        }
    }

    private func render(_ text: String, _ values: [String: String], _ kinds: [String: ShortcutParameter.Kind],
                        uri: Bool) -> String? {
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
                  v.unicodeScalars.allSatisfy({ !CharacterSet.whitespacesAndNewlines.contains($0) }) else {
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
              c.isValidDate(in: cal), let date = cal.date(from: c) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}

// MARK: YAML shape

private struct FileDTO: Decodable {
    var format: Int
    var shortcuts: [ShortcutDTO]?
}

private struct ShortcutDTO: Decodable {
    var name: String
    var summary: [String: String]
    var apps: [String]?
    var parameters: [ParameterDTO]?
    var intent: IntentDTO?
    var deep_link: DeepLinkDTO?
    var shell: String?
    var content_query: ContentQueryDTO?

    func validated(source: String, index: Int) throws(ShortcutError) -> Shortcut {
        let here = "\(source): shortcuts[\(index)] (\(name))"
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }),
              name.first?.isLetter == true else {
            throw ShortcutError("\(here): a name is letters, digits, _ and ., starting with a letter")
        }
        var summaries: [PromptLanguage: String] = [:]
        for (k, v) in summary {
            guard let lang = PromptLanguage(rawValue: k) else {
                throw ShortcutError("\(here): summary language \"\(k)\" is not one of en, zh")
            }
            summaries[lang] = v
        }
        guard summaries[.english] != nil else { throw ShortcutError("\(here): summary.en is missing") }

        var params: [ShortcutParameter] = []
        for p in parameters ?? [] {
            if params.contains(where: { $0.name == p.name }) {
                throw ShortcutError("\(here): parameter \(p.name) is declared twice")
            }
            params.append(try p.validated(context: here))
        }
        let names = Set(params.map(\.name))
        func template(_ text: String, _ field: String) throws(ShortcutError) -> Template {
            let t = try Template(text, context: "\(here) \(field)")
            for n in t.parameterNames where !names.contains(n) {
                throw ShortcutError("\(here) \(field): {\(n)} is not a declared parameter")
            }
            return t
        }

        let given = [intent != nil, deep_link != nil, shell != nil, content_query != nil].filter { $0 }.count
        guard given == 1 else {
            throw ShortcutError("\(here): give exactly one of intent, deep_link, shell, content_query (found \(given))")
        }
        let implementation: Shortcut.Implementation
        if let i = intent {
            guard !i.action.isEmpty else { throw ShortcutError("\(here): intent.action is empty") }
            if let d = i.data { _ = try template(d, "intent.data") }
            var extras: [IntentTemplate.Extra] = []
            for (k, e) in (i.extras ?? []).enumerated() {
                guard let kind = IntentTemplate.Extra.Kind(rawValue: e.type ?? "string") else {
                    throw ShortcutError("\(here) intent.extras[\(k)]: type \"\(e.type ?? "")\" is not one of \(IntentTemplate.Extra.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                _ = try template(e.value, "intent.extras[\(k)]")
                extras.append(.init(key: e.key, kind: kind, value: e.value))
            }
            implementation = .intent(IntentTemplate(action: i.action, data: i.data, mimeType: i.type,
                                                    categories: i.categories ?? [], package: i.package,
                                                    component: i.component, extras: extras))
        } else if let d = deep_link {
            _ = try template(d.url, "deep_link.url")
            implementation = .deepLink(url: d.url, package: d.package)
        } else if let s = shell {
            let t = try template(s, "shell")
            // A placeholder must be a whole word of its own: outside quotes, so that the
            // value's own quoting is the only one.
            var quote: Character?
            for ch in s {
                if let q = quote { if ch == q { quote = nil }; continue }
                if ch == "'" || ch == "\"" { quote = ch; continue }
            }
            if quote != nil { throw ShortcutError("\(here) shell: a quote is not closed") }
            var inQuote: Character?
            for ch in s {
                if let q = inQuote {
                    if ch == q { inQuote = nil } else if ch == "{" {
                        throw ShortcutError("\(here) shell: a {parameter} must not sit inside quotes; Tether quotes the value itself")
                    }
                    continue
                }
                if ch == "'" || ch == "\"" { inQuote = ch }
            }
            _ = t
            implementation = .shell(command: s)
        } else if let q = content_query {
            if let w = q.where { _ = try template(w, "content_query.where") }
            implementation = .contentQuery(ContentQueryTemplate(uri: q.uri, projection: q.projection ?? [],
                                                                condition: q.where, sort: q.sort))
        } else {
            throw ShortcutError("\(here): no implementation")
        }
        return Shortcut(name: name, summaries: summaries, apps: apps ?? [], parameters: params,
                        implementation: implementation, source: source)
    }
}

private struct ParameterDTO: Decodable {
    var name: String
    var type: String
    var optional: Bool?
    var min: Int?
    var max: Int?
    var choices: [String]?
    var description: String?

    func validated(context: String) throws(ShortcutError) -> ShortcutParameter {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw ShortcutError("\(context): parameter name \"\(name)\" must be letters, digits and _")
        }
        guard name != "name", name != "action" else {
            throw ShortcutError("\(context): parameter name \"\(name)\" is reserved: the Shortcut action itself uses action= and name=")
        }
        let kind: ShortcutParameter.Kind
        switch type {
        case "text": kind = .text
        case "phone": kind = .phone
        case "url": kind = .url
        case "int": kind = .int(min: min, max: max)
        case "bool": kind = .bool
        case "datetime": kind = .dateTime
        case "choice":
            guard let c = choices, !c.isEmpty else {
                throw ShortcutError("\(context): parameter \(name) of type choice needs a list of choices")
            }
            kind = .choice(c)
        default:
            throw ShortcutError("\(context): parameter \(name) has type \"\(type)\"; use one of text, phone, url, int, bool, choice, datetime")
        }
        return ShortcutParameter(name: name, type: kind, required: !(optional ?? false), description: description)
    }
}

private struct IntentDTO: Decodable {
    var action: String
    var data: String?
    var type: String?
    var categories: [String]?
    var package: String?
    var component: String?
    var extras: [ExtraDTO]?
}

private struct ExtraDTO: Decodable {
    var key: String
    var type: String?
    var value: String
}

private struct DeepLinkDTO: Decodable {
    var url: String
    var package: String?
}

private struct ContentQueryDTO: Decodable {
    var uri: String
    var projection: [String]?
    var `where`: String?
    var sort: String?
}
