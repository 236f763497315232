import AndroidPhone
import Foundation
import Trajectory

/// `tapOn`, `doubleTapOn`, `longPressOn`: find the element on a settled screen (its bounds read
/// from the tree fetched after settling, right before the tap), then touch its centre — or a
/// `point` on the screen, or inside the element when both are given.
extension FlowExecution {
    func tap(_ kind: TapKind, _ given: Selector, _ tapOptions: TapOptions) async throws -> String {
        let selector = try substitute(given)
        let (x, y, what) = try await target(selector)
        for i in 0..<tapOptions.repeats {
            if i > 0 { try await Task.sleep(for: tapOptions.delay) }
            switch kind {
            case .tap: try await phone.tap(x: x, y: y)
            case .doubleTap: try await phone.doubleTap(x: x, y: y)
            case .longPress: try await phone.longPress(x: x, y: y)
            }
        }
        await screen.invalidate()
        let size = try await phone.display()
        let point = GridPoint(x: x * 1000 / max(size.width, 1), y: y * 1000 / max(size.height, 1))
        switch kind {
        case .tap: lastAction = .tap(point, sensitiveMessage: nil)
        case .doubleTap: lastAction = .doubleTap(point)
        case .longPress: lastAction = .longPress(point)
        }
        try await screen.settleAfterAction(timeout: tapOptions.settleTimeout)
        let verb = kind == .tap ? "tapped" : kind == .doubleTap ? "double-tapped" : "long-pressed"
        return "\(verb) \(what) at (\(x), \(y))\(tapOptions.repeats > 1 ? " \(tapOptions.repeats) times" : "")"
    }

    /// The pixel a selector means, and how to name it.
    func target(_ selector: Selector) async throws -> (x: Int, y: Int, what: String) {
        let pointOnly = selector.text == nil && selector.id == nil && selector.containsChild == nil
        if pointOnly, let text = selector.point {
            guard let point = ScreenPoint(parsing: text) else { throw StepFailure("point \"\(text)\" is not \"X,Y\" or \"X%,Y%\"") }
            let size = try await phone.display()
            let p = point.pixel(width: size.width, height: size.height)
            return (p.x, p.y, "point \(text)")
        }
        let (node, snapshot) = try await screen.find(selector, timeout: options.lookupTimeout)
        guard let node else { throw notFound(selector, within: options.lookupTimeout, snapshot) }
        let b = node.bounds
        let visible = Bounds(
            left: max(b.left, 0), top: max(b.top, 0), right: min(b.right, snapshot.image.width), bottom: min(b.bottom, snapshot.image.height))
        if let text = selector.point, let point = ScreenPoint(parsing: text) {
            let p = point.pixel(width: visible.width, height: visible.height)
            return (visible.left + p.x, visible.top + p.y, "\(selector)")
        }
        let name = node.text.isEmpty ? (node.contentDescription.isEmpty ? node.resourceId : node.contentDescription) : node.text
        return (visible.center.x, visible.center.y, "\"\(name)\"")
    }
}
