import Foundation

/// One step of a person's demonstration: the action in the agent's vocabulary, the gesture it
/// came from, what was under the finger, and the screen just before it.
public struct HumanStep: Sendable {
    /// Nil for what the vocabulary has no action for (Recents, volume and power keys, pinches).
    public var action: Action?
    public var gesture: HumanGesture?
    public var element: ScreenElement?
    public var screen: ScreenState?
    public var startedAt: Date

    public init(action: Action?, gesture: HumanGesture?, element: ScreenElement?, screen: ScreenState?, startedAt: Date) {
        self.action = action
        self.gesture = gesture
        self.element = element
        self.screen = screen
        self.startedAt = startedAt
    }
}
