import Foundation
import Basics

/// What touching a node does.
enum TapTarget: Sendable {
    case actions([Action], JSON, package: String)
    case focus(String)
    case toggle(String, package: String)
    case slider(String, min: Double, max: Double, track: Rect, package: String)
    case launch(String)
    case back
    case closeShade
}

/// One node of the accessibility tree: what `uiautomator dump` prints and what taps hit.
struct UINode: Sendable {
    var className: String
    var package: String
    var bounds: Rect
    var text = ""
    var resourceId = ""
    var contentDesc = ""
    var clickable = false
    var longClickable = false
    var checkable = false
    var checked = false
    var focusable = false
    var focused = false
    var scrollable = false
    var password = false
    var selected = false
    var children: [UINode] = []
    var tap: TapTarget?
    var longPress: TapTarget?
}
