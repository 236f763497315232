import Yams

extension StepParser {
    static let selectorKeys = [
        "text", "id", "index", "point", "enabled", "checked", "focused", "selected",
        "below", "above", "leftOf", "rightOf", "containsChild", "childOf"
    ]

    /// A selector given as text (`"Save"`) or as a mapping; for a mapping, the reader is returned
    /// so that the command can read its own keys and then `finish`.
    func selectorArguments(_ node: Node, command: String) throws(FlowError) -> (Selector, ArgumentReader?) {
        if let scalar = node.scalar { return (Selector(text: scalar.string), nil) }
        let args = try ArgumentReader(command: command, node: node, file: file)
        return (try selector(args), args)
    }

    /// The selector keys of a mapping (other keys are left for the command).
    func selector(_ args: ArgumentReader) throws(FlowError) -> Selector {
        var s = Selector()
        s.text = try args.string("text")
        s.id = try args.string("id")
        if let indexNode = args.value("index") {
            let text = try ArgumentReader.text(indexNode, "\(args.command).index", file: file)
            guard let n = Int(text.trimmingCharacters(in: .whitespaces)), n >= 0 else {
                throw FlowError("\(args.command).index should be a whole number from 0, not \(indexNode.kindName)", at: location(indexNode))
            }
            s.index = n
        }
        if let pointNode = args.value("point") {
            let text = try ArgumentReader.text(pointNode, "\(args.command).point", file: file)
            if !text.contains("${"), ScreenPoint(parsing: text) == nil {
                throw FlowError(
                    "\(args.command).point should be \"X,Y\" in pixels or \"X%,Y%\" of the screen, not \"\(text)\"", at: location(pointNode))
            }
            s.point = text
        }
        s.enabled = try args.bool("enabled")
        s.checked = try args.bool("checked")
        s.focused = try args.bool("focused")
        s.selected = try args.bool("selected")
        func relation(_ key: String) throws(FlowError) -> Selector.Box? {
            guard let node = args.value(key) else { return nil }
            if let scalar = node.scalar { return Selector.Box(Selector(text: scalar.string)) }
            let inner = try ArgumentReader(command: "\(args.command).\(key)", node: node, file: file)
            let selector = try self.selector(inner)
            try inner.finish(allowed: Self.selectorKeys)
            return Selector.Box(selector)
        }
        s.below = try relation("below")
        s.above = try relation("above")
        s.leftOf = try relation("leftOf")
        s.rightOf = try relation("rightOf")
        s.containsChild = try relation("containsChild")
        s.childOf = try relation("childOf")
        return s
    }

    /// A selector that stands alone (`element:`, `visible:`).
    func standaloneSelector(_ node: Node, command: String) throws(FlowError) -> Selector {
        let (selector, args) = try selectorArguments(node, command: command)
        try args?.finish(allowed: Self.selectorKeys)
        return selector
    }

    /// A `when` / `while` condition.
    func condition(_ node: Node, command: String) throws(FlowError) -> Condition {
        let args = try ArgumentReader(command: command, node: node, file: file)
        var c = Condition()
        if let v = args.value("visible") { c.visible = try standaloneSelector(v, command: "\(command).visible") }
        if let v = args.value("notVisible") { c.notVisible = try standaloneSelector(v, command: "\(command).notVisible") }
        c.isTrue = try args.string("true")
        c.platform = try args.string("platform")
        try args.finish(allowed: ["visible", "notVisible", "true", "platform"])
        return c
    }
}
