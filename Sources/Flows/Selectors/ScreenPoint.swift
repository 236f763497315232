/// A point on the screen as flows write it: `"540, 1200"` in pixels or `"50%, 90%"` of the screen.
public struct ScreenPoint: Sendable, Equatable {
    public enum Coordinate: Sendable, Equatable {
        case pixels(Int)
        case percent(Double)

        func resolve(_ size: Int) -> Int {
            switch self {
            case .pixels(let p): min(max(p, 0), max(size - 1, 0))
            case .percent(let f): min(max(Int((f / 100 * Double(size)).rounded(.down)), 0), max(size - 1, 0))
            }
        }
    }

    public var x: Coordinate
    public var y: Coordinate

    public init?(parsing text: String) {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else { return nil }
        func coordinate(_ s: String) -> Coordinate? {
            if s.hasSuffix("%") {
                guard let f = Double(s.dropLast()), f >= 0, f <= 100 else { return nil }
                return .percent(f)
            }
            guard let n = Int(s), n >= 0 else { return nil }
            return .pixels(n)
        }
        guard let x = coordinate(parts[0]), let y = coordinate(parts[1]) else { return nil }
        self.x = x
        self.y = y
    }

    /// Pixels on a `width × height` screen, inside it.
    public func pixel(width: Int, height: Int) -> (x: Int, y: Int) { (x.resolve(width), y.resolve(height)) }
}
