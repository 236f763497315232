import Agent
import AndroidPhone
import Foundation
import Trajectory
import VirtualPhone

/// The harness's ceiling: a "model" that plays a task's person solution as agent actions. At
/// each call it reads the phone's UI tree and answers the next solution step in the agent's
/// grammar — Launch, Tap / Long Press on the label's centre (0–999 grid), Type (what the field
/// holds plus the step's text, as a person's keys would leave it), Back, Home, Swipe, Wait —
/// and finish once the solution is played. A label not on the screen is scrolled to (up to four
/// swipes up), then the oracle gives up and says so.
actor OracleBackend: ModelBackend {
    nonisolated let description: String
    nonisolated var contextLength: Int? { nil }
    private let steps: [SolutionStep]
    private let tree: @Sendable () async throws -> UIHierarchy
    private var next = 0
    private var scrolls = 0

    init(task: TaskDefinition, tree: @escaping @Sendable () async throws -> UIHierarchy) {
        steps = task.solution
        self.tree = tree
        description = "oracle (the solution of \(task.id), \(steps.count) steps)"
    }

    func complete(_ request: ModelRequest, onText: (@Sendable (String) -> Void)?) async throws -> ModelReply {
        try Task.checkCancellation()
        let image = request.messages.last(where: { $0.image != nil })?.image
        let size = (width: image?.width ?? 1080, height: image?.height ?? 2400)
        let text = try await answer(screen: size)
        onText?(text)
        return ModelReply(text: text, timings: ModelTimings(firstText: 0, total: 0))
    }

    private func answer(screen: (width: Int, height: Int)) async throws -> String {
        guard next < steps.count else { return reply("The solution is played.", #"finish(message="done")"#) }
        let step = steps[next]
        func grid(_ b: Bounds) -> String {
            let c = b.center
            return "[\(min(c.x * 1000 / max(screen.width, 1), 999)),\(min(c.y * 1000 / max(screen.height, 1), 999))]"
        }
        switch step {
        case .launch(let app):
            next += 1
            return reply("Open \(app).", "do(action=\"Launch\", app=\"\(escaped(app))\")")
        case .tap(let label), .longPress(let label):
            let now = try await tree()
            guard let bounds = Person.visible(label, in: now, screen: screen) else {
                guard scrolls < 4 else {
                    return reply("\(label) is not on the screen.", "finish(message=\"the oracle cannot find \(escaped(label))\")")
                }
                scrolls += 1
                return reply("Scroll to find \(label).", #"do(action="Swipe", start=[500,700], end=[500,300])"#)
            }
            scrolls = 0
            next += 1
            if case .longPress = step { return reply("Long-press \(label).", "do(action=\"Long Press\", element=\(grid(bounds)))") }
            return reply("Tap \(label).", "do(action=\"Tap\", element=\(grid(bounds)))")
        case .type(let text):
            next += 1
            let focused = try await tree().allNodes.first { $0.focused && $0.className.hasSuffix("EditText") }
            let final = Self.typed(text, into: focused?.text ?? "")
            return reply("Type \(final).", "do(action=\"Type\", text=\"\(escaped(final))\")")
        case .key(let key):
            next += 1
            switch key {
            case .back: return reply("Go back.", #"do(action="Back")"#)
            case .home: return reply("Go home.", #"do(action="Home")"#)
            case .enter, .recents:
                return reply("The agent has no \(key.rawValue) key.", "finish(message=\"the oracle cannot press \(key.rawValue)\")")
            }
        case .swipe(let direction, let label):
            next += 1
            var area: Bounds?
            if let label { area = Person.visible(label, in: try await tree(), screen: screen) }
            let (from, to) = Person.swipePath(PersonSwipe(rawValue: direction.rawValue) ?? .up, across: area, screen: screen)
            let start = grid(Bounds(left: from.0, top: from.1, right: from.0, bottom: from.1))
            let end = grid(Bounds(left: to.0, top: to.1, right: to.0, bottom: to.1))
            return reply("Swipe \(direction.rawValue).", "do(action=\"Swipe\", start=\(start), end=\(end))")
        case .wait(let seconds):
            next += 1
            return reply("Wait.", "do(action=\"Wait\", duration=\"\(Int(seconds.rounded(.up))) seconds\")")
        }
    }

    /// What a person's keys leave in a field, as the agent's Type (which replaces the field's
    /// text) must write it: `⌫` deletes the last character of what is there, and text that goes
    /// on from it (starting with a comma or a space) is added to it; other text replaces what
    /// the field shows, which an empty field's hint would otherwise join.
    static func typed(_ keys: String, into current: String) -> String {
        let continues = keys.first.map { $0 == "⌫" || $0 == "," || $0 == " " } ?? false
        var text = continues ? current : ""
        for character in keys {
            if character == "⌫" {
                if !text.isEmpty { text.removeLast() }
            } else {
                text.append(character)
            }
        }
        return text
    }

    private func reply(_ thinking: String, _ answer: String) -> String { "<think>\(thinking)</think><answer>\(answer)</answer>" }
    private func escaped(_ s: String) -> String { s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") }
}
