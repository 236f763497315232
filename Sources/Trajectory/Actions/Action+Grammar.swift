extension Action {
    /// The canonical answer line, e.g. `do(action="Tap", element=[500,120])`. Strings are written
    /// with the escapes the parser reads back (`\"`, `\\`, `\n`, `\t`, `\r`).
    public var grammarText: String {
        func q(_ s: String) -> String { Action.quote(s) }
        switch self {
        case .launch(let app): return "do(action=\"Launch\", app=\(q(app)))"
        case .tap(let p, let message):
            if let message { return "do(action=\"Tap\", element=\(p), message=\(q(message)))" }
            return "do(action=\"Tap\", element=\(p))"
        case .type(let text): return "do(action=\"Type\", text=\(q(text)))"
        case .typeName(let text): return "do(action=\"Type_Name\", text=\(q(text)))"
        case .swipe(let a, let b): return "do(action=\"Swipe\", start=\(a), end=\(b))"
        case .longPress(let p): return "do(action=\"Long Press\", element=\(p))"
        case .doubleTap(let p): return "do(action=\"Double Tap\", element=\(p))"
        case .back: return "do(action=\"Back\")"
        case .home: return "do(action=\"Home\")"
        case .wait(let s): return "do(action=\"Wait\", duration=\(q(Action.formatSeconds(s) + " seconds")))"
        case .takeOver(let m): return "do(action=\"Take_over\", message=\(q(m)))"
        case .interact: return "do(action=\"Interact\")"
        case .note(let m): return "do(action=\"Note\", message=\(q(m)))"
        case .callAPI(let i): return "do(action=\"Call_API\", instruction=\(q(i)))"
        case .shortcut(let name, let args):
            let rest = args.keys.sorted().map { ", \($0)=\(q(args[$0] ?? ""))" }.joined()
            return "do(action=\"Shortcut\", name=\(q(name))\(rest))"
        case .finish(let m): return "finish(message=\(q(m)))"
        }
    }

    public static func formatSeconds(_ s: Double) -> String {
        s == s.rounded() && abs(s) < 1e9 ? String(Int(s)) : String(s)
    }

    /// A double-quoted literal with the escapes `ActionParser` understands.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out + "\""
    }
}
