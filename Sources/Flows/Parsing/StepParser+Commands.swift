import Foundation
import Yams

extension StepParser {
    /// Every command name a flow may use.
    static let commandNames = [
        "launchApp", "stopApp", "killApp", "clearState", "tapOn", "doubleTapOn", "longPressOn", "inputText",
        "inputRandomText", "inputRandomNumber", "inputRandomEmail", "inputRandomPersonName", "eraseText", "pressKey",
        "back", "hideKeyboard", "scroll", "pasteText", "waitForAnimationToEnd", "scrollUntilVisible", "swipe",
        "assertVisible", "assertNotVisible", "copyTextFrom", "assertTrue", "extendedWaitUntil", "takeScreenshot",
        "openLink", "evalScript", "runFlow", "repeat", "retry", "goal", "assertWithAI", "shortcut", "shell"
    ]

    /// The command `name` with its arguments; nil for a name that is no command.
    func command(_ name: String, _ arg: Node?, _ at: SourceLocation, _ options: inout StepOptions) throws(FlowError) -> Command? {
        switch name {
        case "launchApp": return try launchApp(name, arg, &options)
        case "stopApp", "killApp": return .stopApp(appId: try appId(name, arg, &options))
        case "clearState": return .clearState(appId: try appId(name, arg, &options))
        case "tapOn": return try tap(.tap, name, arg, at, &options)
        case "doubleTapOn": return try tap(.doubleTap, name, arg, at, &options)
        case "longPressOn": return try tap(.longPress, name, arg, at, &options)
        case "inputText": return .inputText(try single(name, arg, at, key: "text", &options))
        case "inputRandomText": return try inputRandom(.text, name, arg, &options)
        case "inputRandomNumber": return try inputRandom(.number, name, arg, &options)
        case "inputRandomEmail": return try inputRandom(.email, name, arg, &options)
        case "inputRandomPersonName": return try inputRandom(.personName, name, arg, &options)
        case "eraseText": return try eraseText(name, arg, &options)
        case "pressKey":
            let key = try single(name, arg, at, key: "key", &options)
            if !key.contains("${"), FlowKeys.code(for: key) == nil {
                throw FlowError(
                    "pressKey: unknown key \"\(key)\"; use Home, Back, Enter, Backspace, Tab, Volume Up, Volume Down, Power, Lock or a KEYCODE_ name",
                    at: at)
            }
            return .pressKey(key)
        case "back", "hideKeyboard", "scroll", "pasteText":
            if let arg { try onlyOptions(name, arg, &options) }
            switch name {
            case "back": return .back
            case "hideKeyboard": return .hideKeyboard
            case "scroll": return .scroll
            default: return .pasteText
            }
        case "waitForAnimationToEnd":
            guard let arg else { return .waitForAnimationToEnd(timeout: .seconds(15)) }
            let args = try ArgumentReader(command: name, node: arg, file: file)
            let timeout = try args.milliseconds("timeout") ?? .seconds(15)
            try options.read(args)
            try args.finish(allowed: ["timeout"] + StepOptions.keys)
            return .waitForAnimationToEnd(timeout: timeout)
        case "scrollUntilVisible": return try scrollUntilVisible(name, arg, at, &options)
        case "swipe": return try swipe(name, arg, at, &options)
        case "assertVisible", "assertNotVisible", "copyTextFrom":
            guard let arg else { throw FlowError("\(name) needs a selector: text, or a mapping with text, id, …", at: at) }
            let (selector, args) = try selectorArguments(arg, command: name)
            if let args {
                try options.read(args)
                try args.finish(allowed: Self.selectorKeys + StepOptions.keys)
            }
            switch name {
            case "assertVisible": return .assertVisible(selector)
            case "assertNotVisible": return .assertNotVisible(selector)
            default: return .copyTextFrom(selector)
            }
        case "assertTrue": return .assertTrue(try single(name, arg, at, key: "condition", &options))
        case "extendedWaitUntil": return try extendedWaitUntil(name, arg, at, &options)
        case "takeScreenshot": return .takeScreenshot(try single(name, arg, at, key: "path", &options))
        case "openLink": return .openLink(try single(name, arg, at, key: "link", &options))
        case "evalScript":
            let script = try single(name, arg, at, key: "script", &options)
            do throws(Expression.SyntaxError) { _ = try Expression.parseTemplate(script) } catch {
                throw FlowError("evalScript: \(error.message)", at: at)
            }
            return .evalScript(script)
        case "runFlow": return try runFlow(name, arg, at, &options)
        case "repeat": return try repeatSteps(name, arg, at, &options)
        case "retry": return try retry(name, arg, at, &options)
        case "goal": return try goal(name, arg, at, &options)
        case "assertWithAI": return .assertWithAI(try single(name, arg, at, key: "assertion", &options))
        case "shortcut": return try shortcut(name, arg, at, &options)
        case "shell": return try shell(name, arg, at, &options)
        default: return nil
        }
    }

    func inputRandom(_ kind: RandomText, _ name: String, _ arg: Node?, _ options: inout StepOptions) throws(FlowError) -> Command {
        guard let arg else { return .inputRandom(kind, length: 8) }
        let args = try ArgumentReader(command: name, node: arg, file: file)
        let length = try args.int("length") ?? 8
        try options.read(args)
        try args.finish(allowed: ["length"] + StepOptions.keys)
        return .inputRandom(kind, length: min(max(length, 1), 1000))
    }

    func eraseText(_ name: String, _ arg: Node?, _ options: inout StepOptions) throws(FlowError) -> Command {
        guard let arg else { return .eraseText(characters: 50) }
        if let scalar = arg.scalar {
            guard let n = Int(scalar.string), n >= 0 else {
                throw FlowError("eraseText should be a number of characters, not \(arg.kindName)", at: location(arg))
            }
            return .eraseText(characters: n)
        }
        let args = try ArgumentReader(command: name, node: arg, file: file)
        let n = try args.int("charactersToErase") ?? 50
        try options.read(args)
        try args.finish(allowed: ["charactersToErase"] + StepOptions.keys)
        return .eraseText(characters: max(n, 0))
    }

    func extendedWaitUntil(_ name: String, _ arg: Node?, _ at: SourceLocation, _ options: inout StepOptions) throws(FlowError) -> Command {
        guard let arg else { throw FlowError("extendedWaitUntil needs visible or notVisible, and a timeout", at: at) }
        let args = try ArgumentReader(command: name, node: arg, file: file)
        var visible: Selector?
        var notVisible: Selector?
        if let v = args.value("visible") { visible = try standaloneSelector(v, command: "\(name).visible") }
        if let v = args.value("notVisible") { notVisible = try standaloneSelector(v, command: "\(name).notVisible") }
        let timeout = try args.milliseconds("timeout") ?? .seconds(10)
        try options.read(args)
        try args.finish(allowed: ["visible", "notVisible", "timeout"] + StepOptions.keys)
        guard visible != nil || notVisible != nil else { throw FlowError("extendedWaitUntil needs visible or notVisible", at: at) }
        return .extendedWaitUntil(visible: visible, notVisible: notVisible, timeout: timeout)
    }

    /// `command: value` or `command: {key: value, optional, label}`.
    func single(_ name: String, _ arg: Node?, _ at: SourceLocation, key: String, _ options: inout StepOptions) throws(FlowError) -> String {
        guard let arg else { throw FlowError("\(name) needs a value (\(key))", at: at) }
        if let scalar = arg.scalar { return scalar.string }
        let args = try ArgumentReader(command: name, node: arg, file: file)
        guard let value = try args.string(key) else { throw FlowError("\(name) needs \(key)", at: at) }
        try options.read(args)
        try args.finish(allowed: [key] + StepOptions.keys)
        return value
    }

    func onlyOptions(_ name: String, _ arg: Node, _ options: inout StepOptions) throws(FlowError) {
        let args = try ArgumentReader(command: name, node: arg, file: file)
        try options.read(args)
        try args.finish(allowed: StepOptions.keys)
    }

    func appId(_ name: String, _ arg: Node?, _ options: inout StepOptions) throws(FlowError) -> String? {
        guard let arg else { return nil }
        if let scalar = arg.scalar { return scalar.string }
        let args = try ArgumentReader(command: name, node: arg, file: file)
        let appId = try args.string("appId")
        try options.read(args)
        try args.finish(allowed: ["appId"] + StepOptions.keys)
        return appId
    }

    func launchApp(_ name: String, _ arg: Node?, _ options: inout StepOptions) throws(FlowError) -> Command {
        guard let arg else { return .launchApp(appId: nil, clearState: false, stopApp: true) }
        if let scalar = arg.scalar { return .launchApp(appId: scalar.string, clearState: false, stopApp: true) }
        let args = try ArgumentReader(command: name, node: arg, file: file)
        let appId = try args.string("appId")
        let clear = try args.bool("clearState") ?? false
        let stop = try args.bool("stopApp") ?? true
        for ignored in ["clearKeychain", "permissions", "arguments"] { _ = args.value(ignored) }
        try options.read(args)
        try args.finish(allowed: ["appId", "clearState", "stopApp"] + StepOptions.keys)
        return .launchApp(appId: appId, clearState: clear, stopApp: stop)
    }

    func tap(_ kind: TapKind, _ name: String, _ arg: Node?, _ at: SourceLocation, _ options: inout StepOptions) throws(FlowError) -> Command {
        guard let arg else { throw FlowError("\(name) needs a selector: text, or a mapping with text, id, point, …", at: at) }
        let (selector, args) = try selectorArguments(arg, command: name)
        var tap = TapOptions()
        if let args {
            tap.repeats = max(1, try args.int("repeat") ?? 1)
            tap.delay = try args.milliseconds("delay") ?? tap.delay
            tap.settleTimeout = try args.milliseconds("waitToSettleTimeoutMs") ?? tap.settleTimeout
            _ = try args.bool("retryTapIfNoChange")
            _ = try args.bool("waitUntilVisible")
            try options.read(args)
            try args.finish(
                allowed: Self.selectorKeys + ["repeat", "delay", "waitToSettleTimeoutMs", "retryTapIfNoChange", "waitUntilVisible"]
                    + StepOptions.keys)
        }
        return .tap(kind, selector, tap)
    }

    func direction(_ args: ArgumentReader, _ key: String) throws(FlowError) -> Direction? {
        guard let text = try args.string(key) else { return nil }
        guard let d = Direction(rawValue: text.uppercased()) else {
            throw FlowError("\(args.command).\(key) should be UP, DOWN, LEFT or RIGHT, not \"\(text)\"", at: args.value(key)?.location(in: file))
        }
        return d
    }

    func scrollUntilVisible(_ name: String, _ arg: Node?, _ at: SourceLocation, _ options: inout StepOptions) throws(FlowError) -> Command {
        guard let arg else { throw FlowError("scrollUntilVisible needs element: a selector", at: at) }
        if arg.scalar != nil { return .scrollUntilVisible(try standaloneSelector(arg, command: name), direction: .down, timeout: .seconds(20)) }
        let args = try ArgumentReader(command: name, node: arg, file: file)
        guard let element = args.value("element") else { throw FlowError("scrollUntilVisible needs element: a selector", at: at) }
        let selector = try standaloneSelector(element, command: "\(name).element")
        let direction = try direction(args, "direction") ?? .down
        let timeout = try args.milliseconds("timeout") ?? .seconds(20)
        for ignored in ["speed", "visibilityPercentage", "centerElement", "waitToSettleTimeoutMs"] { _ = args.value(ignored) }
        try options.read(args)
        try args.finish(
            allowed: ["element", "direction", "timeout", "speed", "visibilityPercentage", "centerElement", "waitToSettleTimeoutMs"] + StepOptions.keys)
        return .scrollUntilVisible(selector, direction: direction, timeout: timeout)
    }

    func swipe(_ name: String, _ arg: Node?, _ at: SourceLocation, _ options: inout StepOptions) throws(FlowError) -> Command {
        guard let arg else { throw FlowError("swipe needs direction, or start and end", at: at) }
        let args = try ArgumentReader(command: name, node: arg, file: file)
        var spec = SwipeSpec()
        spec.direction = try direction(args, "direction")
        if let v = args.value("from") { spec.from = try standaloneSelector(v, command: "\(name).from") }
        for key in ["start", "end"] {
            guard let text = try args.string(key) else { continue }
            if !text.contains("${"), ScreenPoint(parsing: text) == nil {
                throw FlowError("swipe.\(key) should be \"X,Y\" in pixels or \"X%,Y%\", not \"\(text)\"", at: args.value(key)?.location(in: file))
            }
            if key == "start" { spec.start = text } else { spec.end = text }
        }
        spec.duration = try args.milliseconds("duration") ?? spec.duration
        try options.read(args)
        try args.finish(allowed: ["direction", "from", "start", "end", "duration"] + StepOptions.keys)
        guard spec.direction != nil || (spec.start != nil && spec.end != nil) else {
            throw FlowError("swipe needs direction, or both start and end", at: at)
        }
        return .swipe(spec)
    }
}
