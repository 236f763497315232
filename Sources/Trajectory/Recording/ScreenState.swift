import Imaging

/// The phone's screen at one moment, as the recorder keeps it: the screenshot, the UI tree
/// (flattened, and as the XML `uiautomator` wrote), the app in front.
public struct ScreenState: Sendable {
    public var image: Image?
    public var width: Int
    public var height: Int
    /// The app in front as the agent names it (its label, or "System Home").
    public var currentApp: String
    public var package: String?
    /// Every node of the UI tree, parents before children.
    public var elements: [ScreenElement]
    public var uiXML: String?
    public var rotation: Int

    public init(
        image: Image?, width: Int, height: Int, currentApp: String, package: String? = nil, elements: [ScreenElement],
        uiXML: String? = nil, rotation: Int = 0
    ) {
        self.image = image
        self.width = width
        self.height = height
        self.currentApp = currentApp
        self.package = package
        self.elements = elements
        self.uiXML = uiXML
        self.rotation = rotation
    }

    /// The field that has focus and takes text, if any.
    public var focusedField: ScreenElement? {
        elements.last { $0.focused && $0.isEditable }
    }

    /// What the finger landed on: the smallest node under the point that shows something or acts
    /// on a touch (a label, an icon's description, a button); the smallest node at all otherwise.
    public func element(atX x: Int, y: Int) -> ScreenElement? {
        let under = elements.filter { $0.contains(x: x, y: y) }
        let meaningful = under.filter { $0.isInteractive || !$0.text.isEmpty || !$0.contentDescription.isEmpty }
        return (meaningful.isEmpty ? under : meaningful).min { $0.area < $1.area }
    }

    /// True when a field has focus and nothing of the app acts on a touch at the point: the
    /// touch went to the on-screen keyboard, which draws outside the app's tree.
    public func isKeyboardTouch(x: Int, y: Int) -> Bool {
        guard let field = focusedField else { return false }
        if field.contains(x: x, y: y) { return false }
        return !elements.contains { $0.isInteractive && $0.contains(x: x, y: y) }
    }

    /// A point on the 0–999 grid of this screen.
    public func grid(x: Int, y: Int) -> GridPoint {
        func map(_ v: Int, _ size: Int) -> Int {
            guard size > 0 else { return 0 }
            return min(max(v * 1000 / size, 0), GridPoint.maximum)
        }
        return GridPoint(x: map(x, width), y: map(y, height))
    }
}
