import Imaging

enum DrawOp: Sendable {
    case rect(Rect, Color, radius: Int)
    /// A rounded rectangle partly scrolled out of view: drawn only inside `clip`.
    case clippedRect(Rect, Color, radius: Int, clip: Rect)
    case ring(Rect, Color, thickness: Int, radius: Int)
    case text(String, x: Int, baseline: Int, size: Int, color: Color, bold: Bool)
    case line(Double, Double, Double, Double, Color, thickness: Double)
    case triangle([(Double, Double)], Color)
}

/// A laid-out screen: the tree, the drawing and where the system areas are.
struct Frame {
    var root: UINode
    var ops: [DrawOp] = []
    var keys: [(Rect, String)] = []
    var statusBar: Rect
    var navBar: Rect
    var content: Rect
    var contentHeight = 0
    var keyboard: Rect?
}
