import AndroidPhone
import Trajectory

/// What replay does with one recorded step on the screen as it is now: the touch as recorded
/// (scaled to this screen), the touch re-aimed at where the recorded element is now, or the
/// reason the screen no longer matches.
public enum ReplayAim: Sendable, Equatable {
    case matched(x: Int, y: Int)
    case reAimed(x: Int, y: Int, dx: Int, dy: Int)
    case diverged(String)

    /// Decides for a recorded touch on `element` at `point` of a `recordedWidth × recordedHeight`
    /// screen, given the current tree and screen size.
    public static func aim(
        element: ScreenElement, point: (x: Int, y: Int), recordedWidth: Int, recordedHeight: Int,
        tree: UIHierarchy, width: Int, height: Int
    ) -> ReplayAim {
        let matcher = RecordedElementMatcher(
            recordedWidth: recordedWidth, recordedHeight: recordedHeight, width: width, height: height)
        let scaled = (x: point.x * width / max(recordedWidth, 1), y: point.y * height / max(recordedHeight, 1))
        guard let match = matcher.match(element, in: tree) else {
            let texts = tree.allNodes.flatMap { [$0.text, $0.contentDescription] }.filter { !$0.isEmpty }.prefix(12)
            return .diverged(
                "looked for \(describe(element)) and found no such element; the screen shows: \(texts.joined(separator: ", "))")
        }
        let b = match.node.bounds
        if scaled.x >= b.left, scaled.x < b.right, scaled.y >= b.top, scaled.y < b.bottom,
            let expected = matcher.expectedCenter(of: element), abs(expected.x - b.center.x) <= 2, abs(expected.y - b.center.y) <= 2
        {
            return .matched(x: scaled.x, y: scaled.y)
        }
        let c = b.center
        return .reAimed(x: c.x, y: c.y, dx: c.x - scaled.x, dy: c.y - scaled.y)
    }

    static func describe(_ e: ScreenElement) -> String {
        var parts: [String] = []
        if !e.resourceId.isEmpty { parts.append("id \"\(e.resourceId)\"") }
        if !e.text.isEmpty { parts.append("text \"\(e.text)\"") }
        if !e.contentDescription.isEmpty { parts.append("description \"\(e.contentDescription)\"") }
        parts.append(e.className.isEmpty ? "an element" : e.className)
        return parts.joined(separator: ", ")
    }
}
