import Foundation

/// A point on the model's screen grid: (0, 0) is the top-left corner and (999, 999) the
/// bottom-right one, whatever the screen's size in pixels. The parser keeps what the model
/// wrote; `pixel(in:)` maps it to the captured screen and clamps it there.
public struct GridPoint: Sendable, Hashable, Codable, CustomStringConvertible {
    public static let maximum = 999

    public var x: Int
    public var y: Int

    public init(x: Int, y: Int) {
        self.x = x
        self.y = y
    }

    /// The pixel this grid point names on a `width × height` screen, inside the screen.
    ///
    /// Grid cell `g` covers pixels `[g·W/1000, (g+1)·W/1000)`; the model's training code divides
    /// by 1000, so this keeps its mapping and only adds the clamp.
    public func pixel(width: Int, height: Int) -> (x: Int, y: Int) {
        func map(_ g: Int, _ size: Int) -> Int {
            guard size > 0 else { return 0 }
            let clamped = min(max(g, 0), GridPoint.maximum)
            return min(clamped * size / 1000, size - 1)
        }
        return (map(x, width), map(y, height))
    }

    public var description: String { "[\(x),\(y)]" }
}

/// One step the phone agent asks for: the AutoGLM action space plus Tether's shortcut call.
///
/// `grammarText` is the canonical line in the model's own grammar (what a well-formed answer
/// looks like); `description` is the short form used in logs and the live CLI line.
public enum Action: Sendable, Hashable {
    /// Open an app by the label the phone shows for it.
    case launch(app: String)
    /// Tap a point. A `sensitiveMessage` marks an action with consequences (paying, sending,
    /// deleting): the operator must confirm it first.
    case tap(GridPoint, sensitiveMessage: String?)
    /// Enter text into the focused field, replacing what is there.
    case type(String)
    /// Like `type`, for a person's name (the model was trained to tell the two apart).
    case typeName(String)
    case swipe(from: GridPoint, to: GridPoint)
    case longPress(GridPoint)
    case doubleTap(GridPoint)
    case back
    case home
    /// Wait for the screen, `seconds` long.
    case wait(seconds: Double)
    /// A human must act on the phone (log in, solve a captcha) before the agent goes on.
    case takeOver(message: String)
    /// The model wants the user to choose between options it has seen.
    case interact
    /// Remember the content of the current page for later (`callAPI` reads the notes).
    case note(message: String)
    /// Answer an instruction from the notes taken so far (summarise, compare, comment).
    case callAPI(instruction: String)
    /// Tether's extension: run a named API shortcut (intent, deep link, shell, content query).
    case shortcut(name: String, arguments: [String: String])
    /// The task is over; `message` says what was done or why it cannot be.
    case finish(message: String)

    /// The action's name as the model writes it.
    public var name: String {
        switch self {
        case .launch: "Launch"
        case .tap: "Tap"
        case .type: "Type"
        case .typeName: "Type_Name"
        case .swipe: "Swipe"
        case .longPress: "Long Press"
        case .doubleTap: "Double Tap"
        case .back: "Back"
        case .home: "Home"
        case .wait: "Wait"
        case .takeOver: "Take_over"
        case .interact: "Interact"
        case .note: "Note"
        case .callAPI: "Call_API"
        case .shortcut: "Shortcut"
        case .finish: "finish"
        }
    }

    public var isFinish: Bool {
        if case .finish = self { return true }
        return false
    }

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

    static func formatSeconds(_ s: Double) -> String {
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

/// How each action is explained to the model, in the prompt's language. The words are ours;
/// the grammar lines are the ones the model was trained to produce.
public enum PromptLanguage: String, Sendable, Codable, CaseIterable {
    case chinese = "zh"
    case english = "en"
}

public struct ActionSpec: Sendable {
    /// An example line in the grammar, with placeholders.
    public let syntax: String
    public let purpose: [PromptLanguage: String]

    public func purpose(in language: PromptLanguage) -> String { purpose[language] ?? purpose[.english] ?? "" }
}

extension Action {
    /// Every action the model may use (shortcuts are added by the prompt only when some are on
    /// offer), in the order the prompt lists them.
    public static let specs: [ActionSpec] = [
        ActionSpec(syntax: #"do(action="Launch", app="<app label>")"#, purpose: [
            .english: "Open an app directly by its label from the installed-app list. Faster than finding its icon.",
            .chinese: "按已安装应用列表里的名称直接打开应用，比在桌面上找图标更快。"]),
        ActionSpec(syntax: #"do(action="Tap", element=[x,y])"#, purpose: [
            .english: "Tap the point (x, y) of the screen grid.",
            .chinese: "点击屏幕网格上的 (x, y) 点。"]),
        ActionSpec(syntax: #"do(action="Tap", element=[x,y], message="<what this commits to>")"#, purpose: [
            .english: "Tap a button whose effect cannot be undone (paying, sending, deleting, granting access). The user is asked to confirm first; say in the message what will happen.",
            .chinese: "点击会产生不可撤回后果的按钮（付款、发送、删除、授权）。执行前会请用户确认，message 里写明将发生什么。"]),
        ActionSpec(syntax: #"do(action="Type", text="<text>")"#, purpose: [
            .english: "Enter text into the input field that has focus; tap the field first. What the field held before is cleared.",
            .chinese: "向当前获得焦点的输入框输入文字，先点中输入框。输入框原有内容会被清空。"]),
        ActionSpec(syntax: #"do(action="Type_Name", text="<person's name>")"#, purpose: [
            .english: "Same as Type, for a person's name.",
            .chinese: "与 Type 相同，用于输入人名。"]),
        ActionSpec(syntax: #"do(action="Swipe", start=[x1,y1], end=[x2,y2])"#, purpose: [
            .english: "Swipe from start to end: scroll a list, turn a page, move a slider.",
            .chinese: "从起点滑到终点：滚动列表、翻页、拖动滑块。"]),
        ActionSpec(syntax: #"do(action="Long Press", element=[x,y])"#, purpose: [
            .english: "Press and hold the point, e.g. to open a context menu or select text.",
            .chinese: "长按该点，例如呼出菜单或选中文字。"]),
        ActionSpec(syntax: #"do(action="Double Tap", element=[x,y])"#, purpose: [
            .english: "Tap the point twice quickly, e.g. to zoom.",
            .chinese: "快速点击该点两次，例如放大。"]),
        ActionSpec(syntax: #"do(action="Back")"#, purpose: [
            .english: "Press the system Back key: leave the page, close a dialog or the keyboard.",
            .chinese: "按系统返回键：返回上一页、关闭弹窗或键盘。"]),
        ActionSpec(syntax: #"do(action="Home")"#, purpose: [
            .english: "Go to the home screen.",
            .chinese: "回到桌面。"]),
        ActionSpec(syntax: #"do(action="Wait", duration="<n> seconds")"#, purpose: [
            .english: "Wait while a page loads.",
            .chinese: "等待页面加载。"]),
        ActionSpec(syntax: #"do(action="Take_over", message="<what the user must do>")"#, purpose: [
            .english: "Hand the phone to the user for a step only a person can do (logging in, a verification code, a captcha).",
            .chinese: "把手机交给用户完成只能由本人做的步骤（登录、验证码、人机验证）。"]),
        ActionSpec(syntax: #"do(action="Interact")"#, purpose: [
            .english: "Ask the user to choose when several options fit the task and nothing tells them apart.",
            .chinese: "有多个选项都符合任务、无法自行区分时，请用户选择。"]),
        ActionSpec(syntax: #"do(action="Note", message="True")"#, purpose: [
            .english: "Keep the content of the current page for later use.",
            .chinese: "记下当前页面的内容，留待后用。"]),
        ActionSpec(syntax: #"do(action="Call_API", instruction="<what to do with the notes>")"#, purpose: [
            .english: "Summarise, compare or comment on the pages noted so far.",
            .chinese: "对已记下的页面内容进行总结、比较或评论。"]),
        ActionSpec(syntax: #"finish(message="<result>")"#, purpose: [
            .english: "End the task. Say what was done, or why it cannot be done.",
            .chinese: "结束任务。说明完成了什么，或为何无法完成。"]),
    ]

    /// The line that describes the shortcut call, shown only when shortcuts are on offer.
    public static let shortcutSpec = ActionSpec(
        syntax: #"do(action="Shortcut", name="<shortcut>", <parameter>="<value>", ...)"#, purpose: [
            .english: "Run one of the shortcuts listed below: a direct route into an app that skips the screens in between. Prefer it when one fits.",
            .chinese: "执行下面列出的某个快捷操作：直接进入应用的目标页面，省去中间步骤。合适时优先使用。"])
}
