import AndroidPhone
import Foundation

/// Finds the elements a selector means in a UI tree: visible ones only (bounds with an area, on
/// the screen), in reading order — or, with a relation (`below`, …), nearest to the anchor first.
public struct SelectorMatcher: Sendable {
    public var screenWidth: Int
    public var screenHeight: Int

    public init(screenWidth: Int, screenHeight: Int) {
        self.screenWidth = screenWidth
        self.screenHeight = screenHeight
    }

    /// A node with its ancestors, so that `childOf` can be asked.
    struct Placed {
        var node: UINode
        var ancestors: [UINode]
    }

    /// Every match, `index` applied last (so at most one then).
    public func matches(_ selector: Selector, in tree: UIHierarchy) -> [UINode] {
        var placed: [Placed] = []
        func walk(_ node: UINode, _ ancestors: [UINode]) {
            placed.append(Placed(node: node, ancestors: ancestors))
            for child in node.children { walk(child, ancestors + [node]) }
        }
        for root in tree.nodes { walk(root, []) }
        var found = candidates(selector, placed, tree: tree)
        if let index = selector.index { found = found.indices.contains(index) ? [found[index]] : [] }
        return found
    }

    func isVisible(_ node: UINode) -> Bool {
        let b = node.bounds
        return b.width > 0 && b.height > 0 && b.right > 0 && b.bottom > 0 && b.left < screenWidth && b.top < screenHeight
    }

    /// On the screen and not scrolled out of its containers: its centre lies inside every
    /// ancestor with an area (a list clips the rows it scrolled past).
    func isVisible(_ p: Placed) -> Bool {
        guard isVisible(p.node) else { return false }
        let c = p.node.bounds.center
        guard c.x >= 0, c.y >= 0, c.x < screenWidth, c.y < screenHeight else { return false }
        for a in p.ancestors where a.bounds.width > 0 && a.bounds.height > 0 {
            let b = a.bounds
            if c.x < b.left || c.x >= b.right || c.y < b.top || c.y >= b.bottom { return false }
        }
        return true
    }

    func candidates(_ selector: Selector, _ placed: [Placed], tree: UIHierarchy) -> [UINode] {
        let textPattern = selector.text.flatMap(Self.pattern)
        let idPattern = selector.id.flatMap(Self.pattern)
        let childMatches = selector.containsChild.map { matches($0.selector, in: tree) }
        let parentMatches = selector.childOf.map { matches($0.selector, in: tree) }
        var found: [UINode] = []
        for p in placed {
            let node = p.node
            guard isVisible(p) else { continue }
            if let text = selector.text, !Self.matches(textPattern, text, node.text) && !Self.matches(textPattern, text, node.contentDescription) {
                continue
            }
            if let id = selector.id {
                let short = node.resourceId.range(of: ":id/").map { String(node.resourceId[$0.upperBound...]) } ?? node.resourceId
                if !Self.matches(idPattern, id, node.resourceId) && !Self.matches(idPattern, id, short) { continue }
            }
            if let enabled = selector.enabled, node.enabled != enabled { continue }
            if let checked = selector.checked, node.checked != checked { continue }
            if let focused = selector.focused, node.focused != focused { continue }
            if let selected = selector.selected, node.selected != selected { continue }
            if let childMatches {
                let below = node.allNodes.dropFirst()
                guard childMatches.contains(where: { child in below.contains(child) }) else { continue }
            }
            if let parentMatches {
                guard parentMatches.contains(where: { parent in p.ancestors.contains(parent) }) else { continue }
            }
            found.append(node)
        }
        if selector.text == nil, selector.id == nil, childMatches == nil {
            // Flags or relations alone: leaves only, or every container on the screen would match.
            found = found.filter { $0.children.isEmpty }
        }
        found.sort { ($0.bounds.top, $0.bounds.left) < ($1.bounds.top, $1.bounds.left) }
        return related(found, selector, tree: tree)
    }

    /// Applies `below`, `above`, `leftOf` and `rightOf`, nearest first.
    func related(_ nodes: [UINode], _ selector: Selector, tree: UIHierarchy) -> [UINode] {
        var result = nodes
        typealias Relation = (box: Selector.Box?, keep: (Bounds, Bounds) -> Bool, distance: (Bounds, Bounds) -> Int)
        let relations: [Relation] = [
            (selector.below, { n, a in n.top >= a.bottom - 1 }, { n, a in n.top - a.bottom }),
            (selector.above, { n, a in n.bottom <= a.top + 1 }, { n, a in a.top - n.bottom }),
            (selector.leftOf, { n, a in n.right <= a.left + 1 }, { n, a in a.left - n.right }),
            (selector.rightOf, { n, a in n.left >= a.right - 1 }, { n, a in n.left - a.right })
        ]
        for relation in relations {
            guard let box = relation.box else { continue }
            guard let anchor = matches(box.selector, in: tree).first else { return [] }
            result = result.filter { $0 != anchor && relation.keep($0.bounds, anchor.bounds) }
            result.sort { relation.distance($0.bounds, anchor.bounds) < relation.distance($1.bounds, anchor.bounds) }
        }
        return result
    }

    /// A case-insensitive regular expression that must match the whole value; nil when the text
    /// is not a valid expression (then only equal text matches).
    static func pattern(_ text: String) -> NSRegularExpression? {
        try? NSRegularExpression(pattern: "^(?:" + text + ")$", options: [.caseInsensitive, .dotMatchesLineSeparators])
    }

    static func matches(_ pattern: NSRegularExpression?, _ text: String, _ value: String) -> Bool {
        if value == text { return true }
        guard let pattern, !value.isEmpty || text.isEmpty else { return false }
        return pattern.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
    }
}
