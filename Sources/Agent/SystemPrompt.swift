import Trajectory
import Foundation

/// An app the phone has, as the launcher shows it.
public struct AppLabel: Sendable, Hashable, Codable {
    public var package: String
    public var label: String

    public init(package: String, label: String) {
        self.package = package
        self.label = label
    }
}

/// The system prompt: Tether's own words for the action grammar and the 0–999 grid the model
/// was trained on, in Chinese or English, with the date of the task's start, the phone's apps
/// and the shortcuts on offer.
public struct SystemPrompt: Sendable {
    public var language: PromptLanguage
    /// The moment the task starts; the prompt gives its date and weekday.
    public var date: Date
    public var timeZone: TimeZone
    /// The labels the model may pass to Launch. Empty: the list is left out.
    public var apps: [AppLabel]
    /// Shortcuts whose app is installed. Empty: the Shortcut action is not mentioned.
    public var shortcuts: [Shortcut]

    public init(
        language: PromptLanguage, date: Date = Date(), timeZone: TimeZone = .current,
        apps: [AppLabel] = [], shortcuts: [Shortcut] = []
    ) {
        self.language = language
        self.date = date
        self.timeZone = timeZone
        self.apps = apps
        self.shortcuts = shortcuts
    }

    /// "2026年03月05日 星期四" or "Thursday, 5 March 2026".
    public var dateLine: String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
        let y = c.year ?? 1970, m = c.month ?? 1, d = c.day ?? 1, w = (c.weekday ?? 1) - 1
        switch language {
        case .chinese:
            let days = ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"]
            return String(format: "%04d年%02d月%02d日 ", y, m, d) + days[w]
        case .english:
            let days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
            let months = [
                "January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"
            ]
            return "\(days[w]), \(d) \(months[m - 1]) \(y)"
        }
    }

    /// The app list as one line of labels.
    public var appsText: String {
        var seen = Set<String>()
        let labels = apps.map(\.label).filter { !$0.isEmpty && seen.insert($0).inserted }
        return labels.joined(separator: language == .chinese ? "、" : ", ")
    }

    /// One line per shortcut: signature and what it does.
    public var shortcutsText: String {
        shortcuts.map { s in
            let params = s.parameters.map { p in
                "\(p.name): \(p.type.promptName)\(p.required ? "" : "?")"
            }.joined(separator: ", ")
            return "- \(s.name)(\(params)) — \(s.summary(in: language))"
        }.joined(separator: "\n")
    }

    /// The full prompt.
    public var text: String {
        var actions = Action.specs
        if !shortcuts.isEmpty { actions.insert(Action.shortcutSpec, at: actions.count - 1) }
        let actionList = actions.map { "- \($0.syntax)\n  \($0.purpose(in: language))" }.joined(separator: "\n")
        switch language {
        case .english:
            var out = """
                Today is \(dateLine).

                You operate an Android phone on the user's behalf to carry out a task. Each turn brings a screenshot of the phone and the name of the app in front. Work out what the screen shows and which single step brings the task closer, then give that one action.

                Reply in exactly this form:
                <think>your reasoning</think>
                <answer>one action</answer>

                Positions are on a grid that runs from (0,0) at the top-left corner of the screen to (999,999) at the bottom-right corner, whatever the screen's size in pixels.

                Actions:
                \(actionList)
                """
            if !apps.isEmpty { out += "\n\nApps on this phone (use these names with Launch):\n\(appsText)" }
            if !shortcuts.isEmpty {
                out += "\n\nShortcuts on this phone (parameters as name=\"value\"; a ? marks an optional one):\n\(shortcutsText)"
            }
            out += """


                How to work:
                1. If the app in front is not the one the task needs, Launch it.
                2. On the next screenshot, check that your last action did what you meant. If it did not, try another position or another way instead of repeating it.
                3. The screen info may carry "feedback" about your last action (a failure, a result, the user's answer). Take it into account.
                4. On a page that has nothing to do with the task, go Back.
                5. While a page loads, Wait, but not more than three times in a row; then go Back and try again.
                6. When what you need is not on screen, swipe to look for it. When a search finds nothing, try shorter or different words.
                7. Never repeat the same action on a screen that has not changed.
                8. Before finish, make sure everything the task asked for is done, with nothing missing, wrong or doubled. If the task cannot be done, finish and say why.
                """
            return out
        case .chinese:
            var out = """
                今天是\(dateLine)。

                你代替用户操作一部安卓手机来完成任务。每一轮你会收到手机的截图和当前前台应用的名称。先弄清屏幕上有什么、哪一步能让任务更接近完成，然后只给出这一个动作。

                请严格按以下格式回复：
                <think>你的思考</think>
                <answer>一个动作</answer>

                位置使用网格坐标：屏幕左上角为 (0,0)，右下角为 (999,999)，与屏幕实际像素大小无关。

                可用动作：
                \(actionList)
                """
            if !apps.isEmpty { out += "\n\n本机已安装的应用（Launch 时使用这些名称）：\n\(appsText)" }
            if !shortcuts.isEmpty {
                out += "\n\n本机可用的快捷操作（参数写作 名称=\"值\"，带 ? 的可省略）：\n\(shortcutsText)"
            }
            out += """


                工作方法：
                1. 如果前台应用不是任务需要的应用，先用 Launch 打开它。
                2. 在下一张截图上确认上一个动作是否生效。没有生效时，换一个位置或换一种做法，不要原样重复。
                3. 屏幕信息里可能带有关于上一个动作的 "feedback"（失败原因、执行结果、用户的回答），请据此调整。
                4. 遇到与任务无关的页面，按 Back 返回。
                5. 页面加载中可以 Wait，但连续不超过三次；之后返回重新进入。
                6. 屏幕上找不到需要的内容时，滑动查找；搜索没有结果时，换更短或不同的关键词。
                7. 屏幕没有变化时，不要重复同一个动作。
                8. finish 之前确认任务要求的每一项都已完成，没有遗漏、错误或重复。任务无法完成时，用 finish 说明原因。
                """
            return out
        }
    }

    /// A prompt read from a file (`--system-prompt FILE`) replaces the built-in one. The
    /// placeholders `{{date}}`, `{{apps}}` and `{{shortcuts}}` in it are filled in; the rest is
    /// sent as written.
    public func render(template: String) -> String {
        template.replacingOccurrences(of: "{{date}}", with: dateLine)
            .replacingOccurrences(of: "{{apps}}", with: appsText)
            .replacingOccurrences(of: "{{shortcuts}}", with: shortcutsText)
    }
}
