import Foundation

extension ActionParser {
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
                x.isFinite, y.isFinite, abs(x) < 1e6, abs(y) < 1e6
            else {
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
        guard let kind = ActionKind(spelling: actionName) else {
            let names = ActionKind.allCases.map(\.rawValue)
            throw ActionParseError(
                kind: .unknownAction(actionName),
                reason: "\"\(actionName)\" is not an action; use one of \(names.dropLast().joined(separator: ", ")) or \(names.last ?? "finish")",
                excerpt: excerpt)
        }
        switch kind {
        case .launch:
            let app = try required("app", in: "Launch").trimmingCharacters(in: .whitespaces)
            guard !app.isEmpty else { throw bad("Launch needs a non-empty app") }
            return .launch(app: app)
        case .tap:
            return .tap(try point("element", in: "Tap"), sensitiveMessage: try text("message", in: "Tap"))
        case .type:
            return .type(try required("text", in: "Type"))
        case .typeName:
            return .typeName(try required("text", in: "Type_Name"))
        case .swipe:
            return .swipe(from: try point("start", in: "Swipe"), to: try point("end", in: "Swipe"))
        case .longPress:
            return .longPress(try point("element", in: "Long Press"))
        case .doubleTap:
            return .doubleTap(try point("element", in: "Double Tap"))
        case .back:
            return .back
        case .home:
            return .home
        case .wait:
            guard let raw = try text("duration", in: "Wait") else { return .wait(seconds: 1) }
            guard let seconds = WaitDuration.seconds(raw) else {
                throw bad("Wait: cannot read the duration \"\(raw)\"; write it as duration=\"2 seconds\"")
            }
            return .wait(seconds: seconds)
        case .takeOver:
            return .takeOver(message: try text("message", in: "Take_over") ?? "")
        case .interact:
            return .interact
        case .note:
            return .note(message: try text("message", in: "Note") ?? "True")
        case .callAPI:
            return .callAPI(instruction: try required("instruction", in: "Call_API"))
        case .shortcut:
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
        case .finish:
            return .finish(message: try text("message", in: "finish") ?? "")
        }
    }
}
