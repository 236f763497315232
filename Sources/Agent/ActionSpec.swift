import Trajectory

/// How each action is explained to the model, in the prompt's language. The words are ours;
/// the grammar lines are the ones the model was trained to produce.
public struct ActionSpec: Sendable {
    /// An example line in the grammar, with placeholders.
    public let syntax: String
    public let purpose: [PromptLanguage: String]

    public func purpose(in language: PromptLanguage) -> String { purpose[language] ?? purpose[.english] ?? "" }
}

extension Action {
    /// Every action the model may use (shortcuts are added by the prompt only when some are on
    /// offer), in the order the prompt lists them.
    public static let specs: [ActionSpec] = ActionKind.allCases.flatMap(specs(for:))

    /// How the prompt explains one kind of action. Exhaustive: a new kind does not compile until
    /// the prompt says how to use it.
    public static func specs(for kind: ActionKind) -> [ActionSpec] {
        switch kind {
        case .launch:
            [
                ActionSpec(
                    syntax: #"do(action="Launch", app="<app label>")"#,
                    purpose: [
                        .english: "Open an app directly by its label from the installed-app list. Faster than finding its icon.",
                        .chinese: "按已安装应用列表里的名称直接打开应用，比在桌面上找图标更快。"
                    ])
            ]
        case .tap:
            [
                ActionSpec(
                    syntax: #"do(action="Tap", element=[x,y])"#,
                    purpose: [
                        .english: "Tap the point (x, y) of the screen grid.",
                        .chinese: "点击屏幕网格上的 (x, y) 点。"
                    ]),
                ActionSpec(
                    syntax: #"do(action="Tap", element=[x,y], message="<what this commits to>")"#,
                    purpose: [
                        .english: "Tap a button whose effect cannot be undone (paying, sending, deleting, granting access). The user is asked to confirm first; say in the message what will happen.",
                        .chinese: "点击会产生不可撤回后果的按钮（付款、发送、删除、授权）。执行前会请用户确认，message 里写明将发生什么。"
                    ])
            ]
        case .type:
            [
                ActionSpec(
                    syntax: #"do(action="Type", text="<text>")"#,
                    purpose: [
                        .english: "Enter text into the input field that has focus; tap the field first. What the field held before is cleared.",
                        .chinese: "向当前获得焦点的输入框输入文字，先点中输入框。输入框原有内容会被清空。"
                    ])
            ]
        case .typeName:
            [
                ActionSpec(
                    syntax: #"do(action="Type_Name", text="<person's name>")"#,
                    purpose: [
                        .english: "Same as Type, for a person's name.",
                        .chinese: "与 Type 相同，用于输入人名。"
                    ])
            ]
        case .swipe:
            [
                ActionSpec(
                    syntax: #"do(action="Swipe", start=[x1,y1], end=[x2,y2])"#,
                    purpose: [
                        .english: "Swipe from start to end: scroll a list, turn a page, move a slider.",
                        .chinese: "从起点滑到终点：滚动列表、翻页、拖动滑块。"
                    ])
            ]
        case .longPress:
            [
                ActionSpec(
                    syntax: #"do(action="Long Press", element=[x,y])"#,
                    purpose: [
                        .english: "Press and hold the point, e.g. to open a context menu or select text.",
                        .chinese: "长按该点，例如呼出菜单或选中文字。"
                    ])
            ]
        case .doubleTap:
            [
                ActionSpec(
                    syntax: #"do(action="Double Tap", element=[x,y])"#,
                    purpose: [
                        .english: "Tap the point twice quickly, e.g. to zoom.",
                        .chinese: "快速点击该点两次，例如放大。"
                    ])
            ]
        case .back:
            [
                ActionSpec(
                    syntax: #"do(action="Back")"#,
                    purpose: [
                        .english: "Press the system Back key: leave the page, close a dialog or the keyboard.",
                        .chinese: "按系统返回键：返回上一页、关闭弹窗或键盘。"
                    ])
            ]
        case .home:
            [
                ActionSpec(
                    syntax: #"do(action="Home")"#,
                    purpose: [
                        .english: "Go to the home screen.",
                        .chinese: "回到桌面。"
                    ])
            ]
        case .wait:
            [
                ActionSpec(
                    syntax: #"do(action="Wait", duration="<n> seconds")"#,
                    purpose: [
                        .english: "Wait while a page loads.",
                        .chinese: "等待页面加载。"
                    ])
            ]
        case .takeOver:
            [
                ActionSpec(
                    syntax: #"do(action="Take_over", message="<what the user must do>")"#,
                    purpose: [
                        .english: "Hand the phone to the user for a step only a person can do (logging in, a verification code, a captcha).",
                        .chinese: "把手机交给用户完成只能由本人做的步骤（登录、验证码、人机验证）。"
                    ])
            ]
        case .interact:
            [
                ActionSpec(
                    syntax: #"do(action="Interact")"#,
                    purpose: [
                        .english: "Ask the user to choose when several options fit the task and nothing tells them apart.",
                        .chinese: "有多个选项都符合任务、无法自行区分时，请用户选择。"
                    ])
            ]
        case .note:
            [
                ActionSpec(
                    syntax: #"do(action="Note", message="True")"#,
                    purpose: [
                        .english: "Keep the content of the current page for later use.",
                        .chinese: "记下当前页面的内容，留待后用。"
                    ])
            ]
        case .callAPI:
            [
                ActionSpec(
                    syntax: #"do(action="Call_API", instruction="<what to do with the notes>")"#,
                    purpose: [
                        .english: "Summarise, compare or comment on the pages noted so far.",
                        .chinese: "对已记下的页面内容进行总结、比较或评论。"
                    ])
            ]
        case .shortcut:
            // Listed apart, and only when some shortcut is on offer (`shortcutSpec`).
            []
        case .finish:
            [
                ActionSpec(
                    syntax: #"finish(message="<result>")"#,
                    purpose: [
                        .english: "End the task. Say what was done, or why it cannot be done.",
                        .chinese: "结束任务。说明完成了什么，或为何无法完成。"
                    ])
            ]
        }
    }

    /// The line that describes the shortcut call, shown only when shortcuts are on offer.
    public static let shortcutSpec = ActionSpec(
        syntax: #"do(action="Shortcut", name="<shortcut>", <parameter>="<value>", ...)"#,
        purpose: [
            .english: "Run one of the shortcuts listed below: a direct route into an app that skips the screens in between. Prefer it when one fits.",
            .chinese: "执行下面列出的某个快捷操作：直接进入应用的目标页面，省去中间步骤。合适时优先使用。"
        ])
}
