import AndroidPhone
import Foundation
import Imaging

/// The phone's screen as commands read it: a settled frame and its UI tree, the tree fetched
/// again only when the frame changed. Selectors are resolved here, retried until a timeout.
actor ScreenReader {
    struct Snapshot: Sendable {
        var image: Image
        var tree: UIHierarchy
        var xml: String
        var settled: Bool
    }

    let phone: Phone
    /// How long a frame may keep changing before a lookup reads it anyway.
    let settleTimeout: Duration
    private var last: Snapshot?

    init(phone: Phone, settleTimeout: Duration) {
        self.phone = phone
        self.settleTimeout = settleTimeout
    }

    /// A frame known to be still (two equal captures in a row), and nothing since changed it.
    private var stillFrame: Image?

    /// Forget the cached tree and the still frame (after an action that changes the screen).
    func invalidate() {
        last = nil
        stillFrame = nil
    }

    /// Waits for the screen to settle after an action; the settled frame is remembered, so the
    /// next lookup needs one capture, not two, when nothing moved since.
    @discardableResult
    func settleAfterAction(timeout: Duration) async throws -> SettleResult {
        let result = try await phone.waitUntilSettled(timeout: timeout)
        last = nil
        stillFrame = result.settled ? result.image : nil
        return result
    }

    /// A settled frame and its tree; the tree is reused when the frame equals the last one.
    func snapshot(settle: Duration? = nil) async throws -> Snapshot {
        var image: Image
        var settled: Bool
        if let still = stillFrame, case let frame = try await phone.screenshot(rejectBlack: false),
            Phone.frameDifference(still, frame) <= 0.002
        {
            image = frame
            settled = true
        } else {
            let result = try await phone.waitUntilSettled(timeout: settle ?? settleTimeout)
            image = result.image
            settled = result.settled
        }
        stillFrame = settled ? image : nil
        if let last, Phone.frameDifference(last.image, image) == 0 {
            return last
        }
        let xml = try await phone.uiHierarchyXML()
        let tree = try UIHierarchy(xml: xml)
        let snapshot = Snapshot(image: image, tree: tree, xml: xml, settled: settled)
        last = snapshot
        return snapshot
    }

    /// Waits until `selector` matches (retrying on each new screen) or `timeout` passes.
    func find(_ selector: Selector, timeout: Duration) async throws -> (node: UINode?, snapshot: Snapshot) {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let shot = try await snapshot()
            let matcher = SelectorMatcher(screenWidth: shot.image.width, screenHeight: shot.image.height)
            if let node = matcher.matches(selector, in: shot.tree).first { return (node, shot) }
            if clock.now >= deadline { return (nil, shot) }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Waits until `selector` matches nothing, or `timeout` passes; the node still seen if any.
    func waitUntilGone(_ selector: Selector, timeout: Duration) async throws -> (node: UINode?, snapshot: Snapshot) {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let shot = try await snapshot()
            let matcher = SelectorMatcher(screenWidth: shot.image.width, screenHeight: shot.image.height)
            guard let node = matcher.matches(selector, in: shot.tree).first else { return (nil, shot) }
            if clock.now >= deadline { return (node, shot) }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// What the screen shows, for a failure message: the visible texts, top to bottom.
    static func summary(of tree: UIHierarchy, width: Int, height: Int, limit: Int = 25) -> [String] {
        let matcher = SelectorMatcher(screenWidth: width, screenHeight: height)
        var seen = Set<String>()
        var texts: [String] = []
        let nodes = tree.allNodes.filter { matcher.isVisible($0) }.sorted { ($0.bounds.top, $0.bounds.left) < ($1.bounds.top, $1.bounds.left) }
        for node in nodes {
            for value in [node.text, node.contentDescription] where !value.isEmpty && !seen.contains(value) {
                seen.insert(value)
                texts.append(value)
            }
            if texts.count >= limit { break }
        }
        return texts
    }
}
