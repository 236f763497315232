import Trajectory
import AndroidPhone
import Foundation
import Yams

/// The YAML shape of a shortcuts file (docs/shortcuts.md), checked into `Shortcut`s.
struct FileDTO: Decodable {
    var format: Int
    var shortcuts: [ShortcutDTO]?
}

struct ShortcutDTO: Decodable {
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
            name.first?.isLetter == true
        else {
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
            implementation = .intent(
                IntentTemplate(
                    action: i.action, data: i.data, mimeType: i.type,
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
                    if ch == q {
                        inQuote = nil
                    } else if ch == "{" {
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
            implementation = .contentQuery(
                ContentQueryTemplate(
                    uri: q.uri, projection: q.projection ?? [],
                    condition: q.where, sort: q.sort))
        } else {
            throw ShortcutError("\(here): no implementation")
        }
        return Shortcut(
            name: name, summaries: summaries, apps: apps ?? [], parameters: params,
            implementation: implementation, source: source)
    }
}

struct ParameterDTO: Decodable {
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

struct IntentDTO: Decodable {
    var action: String
    var data: String?
    var type: String?
    var categories: [String]?
    var package: String?
    var component: String?
    var extras: [ExtraDTO]?
}

struct ExtraDTO: Decodable {
    var key: String
    var type: String?
    var value: String
}

struct DeepLinkDTO: Decodable {
    var url: String
    var package: String?
}

struct ContentQueryDTO: Decodable {
    var uri: String
    var projection: [String]?
    var `where`: String?
    var sort: String?
}
