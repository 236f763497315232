/// Overlays for trajectory pictures: where a tap landed, which way a swipe
/// went, which element was meant. Coordinates are pixel indexes (the centre of
/// pixel (x, y) is the point (x, y)); shapes are clipped to the image and
/// blended over it with the colour's alpha. Round shapes get a one-pixel soft
/// edge; boxes are pixel-exact.
extension Image {
    /// A ring of `radius` (to the middle of its stroke) with a dot in the middle.
    public mutating func drawTapMarker(
        x: Double, y: Double, radius: Double = 28, thickness: Double = 5, color: Color = .red
    ) {
        let half = thickness / 2
        let dot = max(thickness, radius / 4)
        let reach = radius + half + 1
        fill(xRange: (x - reach)...(x + reach), yRange: (y - reach)...(y + reach), color: color) { px, py in
            let d = ((px - x) * (px - x) + (py - y) * (py - y)).squareRoot()
            let ring = half + 0.5 - abs(d - radius)
            let centre = dot + 0.5 - d
            return max(ring, centre)
        }
    }

    /// A straight line with round ends.
    public mutating func drawLine(
        fromX x0: Double, fromY y0: Double, toX x1: Double, toY y1: Double, thickness: Double = 4,
        color: Color = .red
    ) {
        let half = thickness / 2
        let pad = half + 1
        fill(
            xRange: (min(x0, x1) - pad)...(max(x0, x1) + pad), yRange: (min(y0, y1) - pad)...(max(y0, y1) + pad),
            color: color
        ) { px, py in
            half + 0.5 - Image.distance(px, py, toSegmentFrom: x0, y0, x1, y1)
        }
    }

    /// A thick line from the start point with a filled arrow head at the end
    /// point (the tip is at the end point).
    public mutating func drawArrow(
        fromX x0: Double, fromY y0: Double, toX x1: Double, toY y1: Double, thickness: Double = 6,
        color: Color = .red
    ) {
        guard x0.isFinite, y0.isFinite, x1.isFinite, y1.isFinite, thickness.isFinite else { return }
        let dx = x1 - x0
        let dy = y1 - y0
        let length = (dx * dx + dy * dy).squareRoot()
        guard length > 0 else {
            drawTapMarker(x: x1, y: y1, radius: thickness, thickness: thickness, color: color)
            return
        }
        let (ux, uy) = (dx / length, dy / length)
        let headLength = min(max(thickness * 3.5, 12), length)
        let headHalfWidth = max(thickness * 2, 8)
        let baseX = x1 - ux * headLength
        let baseY = y1 - uy * headLength
        // Triangle: tip, and the two corners of its base.
        let corners = [
            (x1, y1),
            (baseX - uy * headHalfWidth, baseY + ux * headHalfWidth),
            (baseX + uy * headHalfWidth, baseY - ux * headHalfWidth)
        ]
        let half = thickness / 2
        let pad = max(half, headHalfWidth) + 1
        fill(
            xRange: (min(x0, x1) - pad)...(max(x0, x1) + pad), yRange: (min(y0, y1) - pad)...(max(y0, y1) + pad),
            color: color
        ) { px, py in
            // The shaft stops inside the head so its round end stays hidden.
            let shaft = half + 0.5 - Image.distance(px, py, toSegmentFrom: x0, y0, baseX + ux, baseY + uy)
            let head = 0.5 + Image.insideDistance(px, py, triangle: corners)
            return max(shaft, head)
        }
    }

    /// A rectangle outline `thickness` pixels wide, drawn inward from the
    /// rectangle's edge (as Pillow's `ImageDraw.rectangle(..., width:)`);
    /// the rectangle covers columns x..<x+width and rows y..<y+height.
    public mutating func drawBox(
        x: Int, y: Int, width boxWidth: Int, height boxHeight: Int, thickness: Int = 3, color: Color = .red
    ) {
        guard boxWidth > 0, boxHeight > 0, thickness > 0 else { return }
        let x1 = x + boxWidth
        let y1 = y + boxHeight
        let t = min(thickness, (min(boxWidth, boxHeight) + 1) / 2)
        fillRect(x: x, y: y, x1: x1, y1: y + t, color: color)  // top
        fillRect(x: x, y: y1 - t, x1: x1, y1: y1, color: color)  // bottom
        fillRect(x: x, y: y + t, x1: x + t, y1: y1 - t, color: color)  // left
        fillRect(x: x1 - t, y: y + t, x1: x1, y1: y1 - t, color: color)  // right
    }

    /// Fills columns x..<x1 and rows y..<y1, clipped to the image.
    public mutating func fillRect(x: Int, y: Int, x1: Int, y1: Int, color: Color) {
        let left = max(x, 0)
        let right = min(x1, width)
        let top = max(y, 0)
        let bottom = min(y1, height)
        guard left < right, top < bottom else { return }
        let stride = self.stride
        withUnsafeMutableBytes { raw in
            guard let p = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            for row in top..<bottom {
                for column in left..<right {
                    Image.blend(p + row * stride + column * 4, color, coverage: 1)
                }
            }
        }
    }

    /// Blends `color` into every pixel of the clipped ranges where
    /// `coverage(x, y)` is above 0 (values above 1 count as 1).
    private mutating func fill(
        xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, color: Color,
        coverage: (Double, Double) -> Double
    ) {
        guard xRange.lowerBound.isFinite, xRange.upperBound.isFinite, yRange.lowerBound.isFinite,
            yRange.upperBound.isFinite
        else { return }
        let left = max(Int(max(xRange.lowerBound.rounded(.down), -1)), 0)
        let right = min(Int(min(xRange.upperBound.rounded(.up), Double(width))), width - 1)
        let top = max(Int(max(yRange.lowerBound.rounded(.down), -1)), 0)
        let bottom = min(Int(min(yRange.upperBound.rounded(.up), Double(height))), height - 1)
        guard left <= right, top <= bottom else { return }
        let stride = self.stride
        withUnsafeMutableBytes { raw in
            guard let p = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            for row in top...bottom {
                for column in left...right {
                    let c = coverage(Double(column), Double(row))
                    if c > 0 { Image.blend(p + row * stride + column * 4, color, coverage: min(c, 1)) }
                }
            }
        }
    }

    /// Source-over of `color` at `coverage` (0...1) onto one RGBA pixel.
    @inline(__always)
    private static func blend(_ pixel: UnsafeMutablePointer<UInt8>, _ color: Color, coverage: Double) {
        let alpha = Double(color.a) / 255 * coverage
        if alpha >= 1 {
            pixel[0] = color.r
            pixel[1] = color.g
            pixel[2] = color.b
            pixel[3] = 255
            return
        }
        let under = Double(pixel[3]) / 255
        let outAlpha = alpha + under * (1 - alpha)
        guard outAlpha > 0 else { return }
        func mix(_ top: UInt8, _ bottom: UInt8) -> UInt8 {
            let v = (Double(top) * alpha + Double(bottom) * under * (1 - alpha)) / outAlpha
            return UInt8(min(max(v.rounded(), 0), 255))
        }
        pixel[0] = mix(color.r, pixel[0])
        pixel[1] = mix(color.g, pixel[1])
        pixel[2] = mix(color.b, pixel[2])
        pixel[3] = UInt8(min(max((outAlpha * 255).rounded(), 0), 255))
    }

    static func distance(
        _ px: Double, _ py: Double, toSegmentFrom x0: Double, _ y0: Double, _ x1: Double, _ y1: Double
    ) -> Double {
        let dx = x1 - x0
        let dy = y1 - y0
        let lengthSquared = dx * dx + dy * dy
        var t = lengthSquared > 0 ? ((px - x0) * dx + (py - y0) * dy) / lengthSquared : 0
        t = min(max(t, 0), 1)
        let cx = x0 + t * dx - px
        let cy = y0 + t * dy - py
        return (cx * cx + cy * cy).squareRoot()
    }

    /// How far the point is inside the triangle (negative outside): the
    /// smallest distance to the lines of its three edges.
    static func insideDistance(_ px: Double, _ py: Double, triangle: [(Double, Double)]) -> Double {
        guard triangle.count == 3 else { return -.infinity }
        let (ax, ay) = triangle[0]
        let (bx, by) = triangle[1]
        let (cx, cy) = triangle[2]
        let orientation = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax) >= 0 ? 1.0 : -1.0
        var inside = Double.infinity
        for (p, q) in [((ax, ay), (bx, by)), ((bx, by), (cx, cy)), ((cx, cy), (ax, ay))] {
            let ex = q.0 - p.0
            let ey = q.1 - p.1
            let length = (ex * ex + ey * ey).squareRoot()
            guard length > 0 else { return -.infinity }
            let side = orientation * (ex * (py - p.1) - ey * (px - p.0)) / length
            inside = min(inside, side)
        }
        return inside
    }
}
