import Trajectory
import Foundation

/// A named API shortcut: a direct route into an app (intent, deep link, shell command or
/// content query) that the model can call with one `Shortcut` action instead of several GUI
/// steps. Declared in `Devices/shortcuts/*.yaml`; the format is in docs/shortcuts.md.
public struct Shortcut: Sendable, Hashable {
    public var name: String
    /// What it does, per language (`en` is required, `zh` falls back to it).
    public var summaries: [PromptLanguage: String]
    /// Packages that provide it; it is offered when any of them is installed. Empty: always.
    public var apps: [String]
    public var parameters: [ShortcutParameter]
    public var implementation: Implementation
    /// The file it came from, for messages.
    public var source: String

    public enum Implementation: Sendable, Hashable {
        case intent(IntentTemplate)
        /// Opens a URL with an ACTION_VIEW intent, optionally in one package.
        case deepLink(url: String, package: String?)
        /// A shell command; each `{parameter}` becomes one safely quoted word.
        case shell(command: String)
        case contentQuery(ContentQueryTemplate)
    }

    public func summary(in language: PromptLanguage) -> String {
        summaries[language] ?? summaries[.english] ?? ""
    }

    public func parameter(_ name: String) -> ShortcutParameter? { parameters.first { $0.name == name } }

    public func isOffered(installedPackages: Set<String>) -> Bool {
        apps.isEmpty || apps.contains(where: installedPackages.contains)
    }
}

public struct IntentTemplate: Sendable, Hashable {
    public var action: String
    public var data: String?
    public var mimeType: String?
    public var categories: [String]
    public var package: String?
    public var component: String?
    public var extras: [Extra]

    public struct Extra: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable, CaseIterable {
            case string, int, long, bool, float

            var flag: String {
                switch self {
                case .string: "--es"
                case .int: "--ei"
                case .long: "--el"
                case .bool: "--ez"
                case .float: "--ef"
                }
            }
        }

        public var key: String
        public var kind: Kind
        public var value: String
    }
}

public struct ContentQueryTemplate: Sendable, Hashable {
    public var uri: String
    public var projection: [String]
    /// A SQL condition; each `{parameter}` becomes a SQL literal.
    public var condition: String?
    public var sort: String?
}

public struct ShortcutParameter: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// Any text.
        case text
        /// A phone number: digits, `+`, `*`, `#`, spaces, dashes, dots, parentheses.
        case phone
        /// An absolute URL with a scheme.
        case url
        case int(min: Int?, max: Int?)
        case bool
        /// One of a fixed set of words.
        case choice([String])
        /// A local date and time `YYYY-MM-DD HH:MM`, rendered as epoch milliseconds.
        case dateTime

        public var promptName: String {
            switch self {
            case .text: "text"
            case .phone: "phone"
            case .url: "url"
            case .int(let lo, let hi):
                if let lo, let hi { "int \(lo)–\(hi)" } else { "int" }
            case .bool: "true|false"
            case .choice(let words): words.joined(separator: "|")
            case .dateTime: "YYYY-MM-DD HH:MM"
            }
        }
    }

    public var name: String
    public var type: Kind
    public var required: Bool
    public var description: String?
}

/// A shortcut with its parameters checked and its command rendered.
public struct ShortcutInvocation: Sendable, Equatable {
    public var shortcut: String
    /// The exact command to run in the phone's shell.
    public var command: String
    public var kind: Kind

    public enum Kind: Sendable, Equatable {
        /// `am start …`: success unless the output reports an error.
        case activityStart
        /// The command's output is the result.
        case shell
        /// `content query …`: the rows are the result.
        case contentQuery
    }
}

public struct ShortcutError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

// MARK: quoting

enum SQLQuote {
    static func literal(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
}

enum URIComponent {
    /// RFC 3986 unreserved characters stay; `+` stays too (phone numbers in tel:/sms: URIs).
    static let allowed: CharacterSet = {
        var set = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~+")
        set.formUnion([])
        return set
    }()

    static func encode(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}

// MARK: templates

/// `{name}` placeholders in a template.
struct Template: Sendable {
    enum Piece: Equatable { case literal(String), parameter(String) }
    let pieces: [Piece]

    init(_ text: String, context: String) throws(ShortcutError) {
        var pieces: [Piece] = []
        var literal = ""
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c == "{" {
                guard let close = text[i...].firstIndex(of: "}") else {
                    throw ShortcutError("\(context): a { is not closed in \"\(text)\"")
                }
                let name = String(text[text.index(after: i)..<close])
                guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                    throw ShortcutError("\(context): \"{\(name)}\" is not a parameter placeholder in \"\(text)\"")
                }
                if !literal.isEmpty { pieces.append(.literal(literal)); literal = "" }
                pieces.append(.parameter(name))
                i = text.index(after: close)
                continue
            }
            if c == "}" { throw ShortcutError("\(context): a } has no { in \"\(text)\"") }
            literal.append(c)
            i = text.index(after: i)
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        self.pieces = pieces
    }

    var parameterNames: [String] {
        pieces.compactMap { if case .parameter(let n) = $0 { n } else { nil } }
    }

    /// Fills the template; nil when it names a parameter that has no value.
    func render(_ values: [String: String], encode: (String, String) -> String) -> String? {
        var out = ""
        for p in pieces {
            switch p {
            case .literal(let s): out += s
            case .parameter(let n):
                guard let v = values[n] else { return nil }
                out += encode(n, v)
            }
        }
        return out
    }
}
