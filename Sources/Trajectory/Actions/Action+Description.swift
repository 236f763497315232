import Foundation

extension Action: CustomStringConvertible {
    /// A short, single-line form for logs: `Tap [500,120]`, `Type "hello"`, `finish "done"`.
    public var description: String {
        func short(_ s: String) -> String {
            let flat = s.replacingOccurrences(of: "\n", with: "⏎")
            return flat.count > 60 ? "\"" + flat.prefix(57) + "…\"" : "\"" + flat + "\""
        }
        switch self {
        case .launch(let app): return "Launch \(short(app))"
        case .tap(let p, nil): return "Tap \(p)"
        case .tap(let p, let m?): return "Tap \(p) (sensitive: \(short(m)))"
        case .type(let t): return "Type \(short(t))"
        case .typeName(let t): return "Type_Name \(short(t))"
        case .swipe(let a, let b): return "Swipe \(a)→\(b)"
        case .longPress(let p): return "Long Press \(p)"
        case .doubleTap(let p): return "Double Tap \(p)"
        case .back: return "Back"
        case .home: return "Home"
        case .wait(let s): return "Wait \(Action.formatSeconds(s))s"
        case .takeOver(let m): return "Take_over \(short(m))"
        case .interact: return "Interact"
        case .note(let m): return "Note \(short(m))"
        case .callAPI(let i): return "Call_API \(short(i))"
        case .shortcut(let name, let args):
            let list = args.keys.sorted().map { "\($0)=\(short(args[$0] ?? ""))" }.joined(separator: " ")
            return list.isEmpty ? "Shortcut \(name)" : "Shortcut \(name) \(list)"
        case .finish(let m): return "finish \(short(m))"
        }
    }
}
