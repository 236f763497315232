import AndroidPhone
import Trajectory

/// Finds a recorded element again in the current UI tree: by resource id, then text or content
/// description, then class and relative position, in that order; among the candidates of the
/// first rule that finds any, the one nearest to the recorded bounds (scaled to this screen).
public struct RecordedElementMatcher: Sendable {
    /// Which rule found the element.
    public enum Rule: String, Sendable, Equatable {
        case resourceId = "resource id", text, classAndPosition = "class and position"
    }

    public struct Match: Sendable, Equatable {
        public var node: UINode
        public var rule: Rule
    }

    /// The screen the element was recorded on and the screen it is looked for on, in pixels.
    public var recordedWidth: Int, recordedHeight: Int
    public var width: Int, height: Int

    public init(recordedWidth: Int, recordedHeight: Int, width: Int, height: Int) {
        self.recordedWidth = max(recordedWidth, 1)
        self.recordedHeight = max(recordedHeight, 1)
        self.width = width
        self.height = height
    }

    /// A node of the same class near the recorded place stands in for the element only when it
    /// carries no other label: a launcher icon "Clock" where "Messages" was is another element,
    /// and tapping it would replay a step the person never made.
    public func match(_ element: ScreenElement, in tree: UIHierarchy) -> Match? {
        let labelled = !element.text.isEmpty || !element.contentDescription.isEmpty
        let visible = tree.allNodes.filter { n in
            n.bounds.width > 0 && n.bounds.height > 0 && n.bounds.right > 0 && n.bounds.bottom > 0
                && n.bounds.left < width && n.bounds.top < height
        }
        let rules: [(Rule, (UINode) -> Bool)] = [
            (.resourceId, { !element.resourceId.isEmpty && $0.resourceId == element.resourceId }),
            (
                .text,
                { n in
                    (!element.text.isEmpty && n.text == element.text)
                        || (!element.contentDescription.isEmpty && n.contentDescription == element.contentDescription)
                }
            ),
            (
                .classAndPosition,
                { n in
                    !element.className.isEmpty && n.className == element.className && distance(n, to: element) <= Double(max(width, height)) / 8
                        && (!labelled || (n.text.isEmpty && n.contentDescription.isEmpty))
                }
            )
        ]
        for (rule, accepts) in rules {
            let found = visible.filter(accepts)
            if let best = found.min(by: { distance($0, to: element) < distance($1, to: element) }) { return Match(node: best, rule: rule) }
        }
        return nil
    }

    /// The recorded bounds' centre, scaled to this screen.
    public func expectedCenter(of element: ScreenElement) -> (x: Int, y: Int)? {
        guard element.bounds.count == 4 else { return nil }
        let x = (element.bounds[0] + element.bounds[2]) / 2, y = (element.bounds[1] + element.bounds[3]) / 2
        return (x * width / recordedWidth, y * height / recordedHeight)
    }

    /// Pixels between the node's centre and where the recorded element's centre would be.
    func distance(_ node: UINode, to element: ScreenElement) -> Double {
        guard let expected = expectedCenter(of: element) else { return 0 }
        let c = node.bounds.center
        let dx = Double(c.x - expected.x), dy = Double(c.y - expected.y)
        return (dx * dx + dy * dy).squareRoot()
    }
}
