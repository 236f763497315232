import AndroidPhone

/// The nodes of one UI dump, numbered `e1`, `e2`, … depth first (every node counts, so the
/// compact list and the full tree give the same node the same id).
struct ScreenElements: Sendable {
    struct Element: Sendable {
        var id: String
        var node: UINode
        var depth: Int
    }

    let elements: [Element]

    init(_ hierarchy: UIHierarchy) {
        var out: [Element] = []
        func visit(_ node: UINode, depth: Int) {
            out.append(Element(id: "e\(out.count + 1)", node: node, depth: depth))
            for child in node.children { visit(child, depth: depth + 1) }
        }
        for root in hierarchy.nodes { visit(root, depth: 0) }
        elements = out
    }

    func element(_ id: String) -> Element? { elements.first { $0.id == id } }

    /// The elements worth acting on or reading: those that take a touch, scroll, or show text,
    /// and have an area on the screen.
    var meaningful: [Element] {
        elements.filter { e in
            let n = e.node
            guard n.bounds.width > 0, n.bounds.height > 0 else { return false }
            return n.clickable || n.longClickable || n.scrollable || n.checkable || !n.text.isEmpty || !n.contentDescription.isEmpty
        }
    }

    /// One line for an element: id, class, text, description, resource id, bounds, flags.
    static func line(_ e: Element) -> String {
        let n = e.node
        var parts = [e.id, n.className.split(separator: ".").last.map(String.init) ?? "View"]
        if !n.text.isEmpty { parts.append(quoted(n.password ? "••••" : n.text)) }
        if !n.contentDescription.isEmpty { parts.append("desc=" + quoted(n.contentDescription)) }
        if !n.resourceId.isEmpty { parts.append("id=" + n.resourceId) }
        parts.append(n.bounds.description)
        var flags: [String] = []
        if n.clickable { flags.append("clickable") }
        if n.longClickable { flags.append("long-clickable") }
        if n.scrollable { flags.append("scrollable") }
        if n.checkable { flags.append(n.checked ? "checked" : "unchecked") }
        if n.focused { flags.append("focused") }
        if n.selected { flags.append("selected") }
        if !n.enabled { flags.append("disabled") }
        return (parts + flags).joined(separator: " ")
    }

    static func quoted(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\"", with: "'")
        return "\"" + (flat.count > 120 ? String(flat.prefix(120)) + "…" : flat) + "\""
    }
}

/// The elements each phone's last `inspect_screen` or `ui_tree` listed, so that `tap` and
/// `type_text` can take an element id.
actor ElementMemory {
    private var screens: [String: ScreenElements] = [:]

    func remember(_ elements: ScreenElements, for device: String) { screens[device] = elements }

    /// The element with `id` on `device`'s last listed screen; a `ToolError` that says what to do
    /// when there is no such element or no listing yet.
    func element(_ id: String, on device: String) throws(ToolError) -> ScreenElements.Element {
        guard let screen = screens[device] else {
            throw ToolError("no element ids are known for \(device) yet: call inspect_screen first, then use an id it lists")
        }
        guard let element = screen.element(id) else {
            let range = screen.elements.isEmpty ? "none" : "e1…e\(screen.elements.count)"
            throw ToolError(
                "no element \"\(id)\" on \(device): the last inspect_screen listed \(range); the screen may have changed, so call inspect_screen again")
        }
        return element
    }
}
