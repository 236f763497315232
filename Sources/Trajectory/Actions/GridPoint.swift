import Foundation

/// A point on the model's screen grid: (0, 0) is the top-left corner and (999, 999) the
/// bottom-right one, whatever the screen's size in pixels. The parser keeps what the model
/// wrote; `pixel(in:)` maps it to the captured screen and clamps it there.
public struct GridPoint: Sendable, Hashable, Codable, CustomStringConvertible {
    public static let maximum = 999

    public var x: Int
    public var y: Int

    public init(x: Int, y: Int) {
        self.x = x
        self.y = y
    }

    /// The pixel this grid point names on a `width × height` screen, inside the screen.
    ///
    /// Grid cell `g` covers pixels `[g·W/1000, (g+1)·W/1000)`; the model's training code divides
    /// by 1000, so this keeps its mapping and only adds the clamp.
    public func pixel(width: Int, height: Int) -> (x: Int, y: Int) {
        func map(_ g: Int, _ size: Int) -> Int {
            guard size > 0 else { return 0 }
            let clamped = min(max(g, 0), GridPoint.maximum)
            return min(clamped * size / 1000, size - 1)
        }
        return (map(x, width), map(y, height))
    }

    public var description: String { "[\(x),\(y)]" }
}
