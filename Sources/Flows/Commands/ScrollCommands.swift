import AndroidPhone
import Foundation
import Trajectory

/// `scroll`, `scrollUntilVisible`, `swipe`.
extension FlowExecution {
    /// A swipe between two points given in fractions of the screen.
    func swipe(from: (Double, Double), to: (Double, Double), duration: Duration = .milliseconds(400)) async throws {
        let size = try await phone.display()
        func px(_ f: Double, _ n: Int) -> Int { min(max(Int(f * Double(n)), 0), n - 1) }
        try await swipePixels(
            from: (px(from.0, size.width), px(from.1, size.height)), to: (px(to.0, size.width), px(to.1, size.height)),
            duration: duration, size: (size.width, size.height))
    }

    func swipePixels(from: (Int, Int), to: (Int, Int), duration: Duration, size: (Int, Int)) async throws {
        try await phone.swipe(fromX: from.0, fromY: from.1, toX: to.0, toY: to.1, duration: duration)
        await screen.invalidate()
        func grid(_ p: (Int, Int)) -> GridPoint { GridPoint(x: p.0 * 1000 / max(size.0, 1), y: p.1 * 1000 / max(size.1, 1)) }
        lastAction = .swipe(from: grid(from), to: grid(to))
    }

    /// Where a finger starts and ends to move the content so that more of it shows in `direction`.
    static func scrollGesture(_ direction: Direction) -> (from: (Double, Double), to: (Double, Double)) {
        switch direction {
        case .down: ((0.5, 0.7), (0.5, 0.3))
        case .up: ((0.5, 0.3), (0.5, 0.7))
        case .right: ((0.8, 0.5), (0.2, 0.5))
        case .left: ((0.2, 0.5), (0.8, 0.5))
        }
    }

    /// Where a finger starts and ends for `swipe: direction:` (the finger moves that way).
    static func swipeGesture(_ direction: Direction) -> (from: (Double, Double), to: (Double, Double)) {
        switch direction {
        case .up: ((0.5, 0.7), (0.5, 0.3))
        case .down: ((0.5, 0.3), (0.5, 0.7))
        case .left: ((0.8, 0.5), (0.2, 0.5))
        case .right: ((0.2, 0.5), (0.8, 0.5))
        }
    }

    func scroll() async throws -> String {
        let g = Self.scrollGesture(.down)
        try await swipe(from: g.from, to: g.to)
        try await screen.settleAfterAction(timeout: options.settleTimeout)
        return "scrolled down"
    }

    func scrollUntilVisible(_ given: Selector, _ direction: Direction, _ timeout: Duration) async throws -> String {
        let selector = try substitute(given)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var swipes = 0
        var unchanged = 0
        while true {
            let (node, shot) = try await screen.find(selector, timeout: .zero)
            if node != nil { return "\(selector) visible after \(swipes) swipe\(swipes == 1 ? "" : "s")" }
            guard clock.now < deadline else {
                throw StepFailure("\(notFound(selector, within: timeout, shot).message) (after \(swipes) swipes \(direction.rawValue))")
            }
            guard unchanged < 2 else {
                let texts = ScreenReader.summary(of: shot.tree, width: shot.image.width, height: shot.image.height)
                throw StepFailure(
                    "scrolled \(direction.rawValue) to the end (the screen stopped changing) and no element matched \(selector); the screen shows "
                        + texts.prefix(12).map { "\"\($0)\"" }.joined(separator: ", "), screen: texts)
            }
            let g = Self.scrollGesture(direction)
            try await swipe(from: g.from, to: g.to)
            swipes += 1
            let after = try await screen.snapshot()
            unchanged = Phone.frameDifference(after.image, shot.image) == 0 ? unchanged + 1 : 0
        }
    }

    func swipe(_ spec: SwipeSpec) async throws -> String {
        let size = try await phone.display()
        let dims = (size.width, size.height)
        if let startText = spec.start, let endText = spec.end {
            let s = try substitute(startText), e = try substitute(endText)
            guard let start = ScreenPoint(parsing: s), let end = ScreenPoint(parsing: e) else {
                throw StepFailure("swipe start \"\(s)\" and end \"\(e)\" must be \"X,Y\" or \"X%,Y%\"")
            }
            let a = start.pixel(width: size.width, height: size.height), b = end.pixel(width: size.width, height: size.height)
            try await swipePixels(from: (a.x, a.y), to: (b.x, b.y), duration: spec.duration, size: dims)
            try await screen.settleAfterAction(timeout: options.settleTimeout)
            return "swiped from (\(a.x), \(a.y)) to (\(b.x), \(b.y))"
        }
        guard let direction = spec.direction else { throw StepFailure("swipe needs direction, or start and end") }
        let g = Self.swipeGesture(direction)
        if let from = spec.from {
            let (x, y, what) = try await target(try substitute(from))
            let dx = Int((g.to.0 - g.from.0) * Double(size.width)), dy = Int((g.to.1 - g.from.1) * Double(size.height))
            let end = (min(max(x + dx, 0), size.width - 1), min(max(y + dy, 0), size.height - 1))
            try await swipePixels(from: (x, y), to: end, duration: spec.duration, size: dims)
            try await screen.settleAfterAction(timeout: options.settleTimeout)
            return "swiped \(direction.rawValue) from \(what)"
        }
        try await swipe(from: g.from, to: g.to, duration: spec.duration)
        try await screen.settleAfterAction(timeout: options.settleTimeout)
        return "swiped \(direction.rawValue)"
    }
}
