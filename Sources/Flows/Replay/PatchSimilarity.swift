import Imaging

/// Whether the surroundings of a touch look as they did when it was recorded, for steps without
/// a UI tree: a square patch around the point on each screen (the recorded point scaled to the
/// current screen), sampled on a fixed grid in grey, compared by normalised cross-correlation.
public struct PatchSimilarity: Sendable {
    /// Half the patch's side, as a fraction of the screen's shorter side.
    public var radius: Double = 0.08
    /// Samples per side of the patch.
    public var samples: Int = 16

    public init() {}

    /// The correlation in -1…1 (1: the same picture up to brightness and contrast); a flat patch
    /// on both screens counts as 1 when their brightness is close, 0 otherwise.
    public func score(recorded: Image, at point: (x: Int, y: Int), current: Image) -> Double {
        let a = patch(recorded, x: Double(point.x) / Double(max(recorded.width, 1)), y: Double(point.y) / Double(max(recorded.height, 1)))
        let b = patch(current, x: Double(point.x) / Double(max(recorded.width, 1)), y: Double(point.y) / Double(max(recorded.height, 1)))
        let n = Double(a.count)
        let meanA = a.reduce(0, +) / n, meanB = b.reduce(0, +) / n
        var covariance = 0.0, varianceA = 0.0, varianceB = 0.0
        for i in a.indices {
            let da = a[i] - meanA, db = b[i] - meanB
            covariance += da * db
            varianceA += da * da
            varianceB += db * db
        }
        let flat = 1e-6 * n
        if varianceA < flat || varianceB < flat {
            return varianceA < flat && varianceB < flat && abs(meanA - meanB) < 16 ? 1 : 0
        }
        return covariance / (varianceA * varianceB).squareRoot()
    }

    /// Grey values of the patch centred at (`x`, `y`), given as fractions of the screen.
    func patch(_ image: Image, x: Double, y: Double) -> [Double] {
        let side = Double(min(image.width, image.height)) * radius
        let cx = x * Double(image.width), cy = y * Double(image.height)
        var values: [Double] = []
        values.reserveCapacity(samples * samples)
        for j in 0..<samples {
            for i in 0..<samples {
                let px = Int(cx - side + 2 * side * (Double(i) + 0.5) / Double(samples))
                let py = Int(cy - side + 2 * side * (Double(j) + 0.5) / Double(samples))
                let sx = min(max(px, 0), image.width - 1), sy = min(max(py, 0), image.height - 1)
                let o = sy * image.stride + sx * 4
                values.append(0.299 * Double(image.bytes[o]) + 0.587 * Double(image.bytes[o + 1]) + 0.114 * Double(image.bytes[o + 2]))
            }
        }
        return values
    }
}
