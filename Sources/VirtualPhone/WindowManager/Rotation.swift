/// The display turned: its size as turned, and where a point of the touch panel (which keeps its
/// natural orientation, as on a phone) falls on the frame. The frame follows a quarter turn when
/// the layout is made at the turned size (landscape: wider than tall); a half turn keeps the
/// natural frame, as phones that do not allow upside-down do.
extension VirtualPhone {
    /// The screen's width as turned (what `dumpsys display`'s logical frame says).
    public var screenWidth: Int { rotation % 2 == 0 ? profile.width : profile.height }
    /// The screen's height as turned.
    public var screenHeight: Int { rotation % 2 == 0 ? profile.height : profile.width }

    /// The quarter turns the current frame is drawn in: the rotation when the frame has the
    /// turned size, 0 while it is laid out in the natural one.
    var frameRotation: Int {
        guard rotation % 2 == 1, profile.width != profile.height else { return 0 }
        let bounds = layout().root.bounds
        return bounds.width == profile.height && bounds.height == profile.width ? rotation : 0
    }

    /// A point of the natural (portrait) panel on the frame.
    func framePoint(naturalX nx: Int, naturalY ny: Int) -> (x: Int, y: Int) {
        let w = profile.width, h = profile.height
        switch frameRotation {
        case 1: return (ny, w - 1 - nx)
        case 3: return (h - 1 - ny, nx)
        default: return (nx, ny)
        }
    }

    /// A point of the frame on the natural panel.
    func naturalPoint(frameX x: Int, frameY y: Int) -> (x: Int, y: Int) {
        let w = profile.width, h = profile.height
        switch frameRotation {
        case 1: return (w - 1 - y, x)
        case 3: return (y, h - 1 - x)
        default: return (x, y)
        }
    }
}
