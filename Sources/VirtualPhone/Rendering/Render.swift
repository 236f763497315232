import Foundation
import Imaging

extension VirtualPhone {
    /// The framebuffer: what `screencap` returns. Drawn again only after something changed.
    public func screenshot() -> Image {
        if let cached = frameCache, cached.version == version { return cached.image }
        let frame = layout()
        var image: Image
        // The frame's size is the layout's: the screen as turned once the layout follows it.
        let size = (frame.root.bounds.width, frame.root.bounds.height)
        do { image = try Image(width: size.0 > 0 ? size.0 : profile.width, height: size.1 > 0 ? size.1 : profile.height, fill: .white) } catch {
            // Profiles are checked at load, so this cannot happen with a loaded catalog.
            logger.error("cannot make the framebuffer", metadata: ["error": "\(error)"])
            return frameCache?.image ?? Self.fallbackImage
        }
        for op in frame.ops { draw(op, into: &image) }
        frameCache = (version, image)
        return image
    }

    /// The framebuffer as `screencap -p` writes it, encoded here on the phone's queue (PNG
    /// encoding is the most CPU of a screencap) rather than on the caller's thread.
    public func screenshotPNG(compressionLevel: Int) throws -> [UInt8] {
        Array(try screenshot().pngData(compressionLevel: compressionLevel))
    }

    /// True while the caller runs on the phone's own queue (what tests check).
    var runsOnOwnQueue: Bool { executor.isCurrent }

    static let fallbackImage: Image = {
        (try? Image(width: 1, height: 1, fill: .black)) ?? { preconditionFailure("a 1x1 image is always valid") }()
    }()

    func draw(_ op: DrawOp, into image: inout Image) {
        switch op {
        case .rect(let r, let c, let radius):
            if radius <= 0 {
                image.fillRect(x: r.x0, y: r.y0, x1: r.x1, y1: r.y1, color: c)
            } else {
                Self.roundedRect(r, radius: radius, color: c, ring: nil, into: &image)
            }
        case .clippedRect(let r, let c, let radius, let clip):
            Self.roundedRect(r, radius: radius, color: c, ring: nil, clip: clip, into: &image)
        case .ring(let r, let c, let thickness, let radius):
            Self.roundedRect(r, radius: radius, color: c, ring: thickness, into: &image)
        case .text(let s, let x, let baseline, let size, let color, let bold):
            text.draw(s, x: x, baseline: baseline, size: size, color: color, bold: bold, into: &image)
        case .line(let x0, let y0, let x1, let y1, let c, let thickness):
            image.drawLine(fromX: x0, fromY: y0, toX: x1, toY: y1, thickness: thickness, color: c)
        case .triangle(let pts, let c):
            guard pts.count == 3 else { return }
            let minY = Int(pts.map(\.1).min() ?? 0), maxY = Int((pts.map(\.1).max() ?? 0).rounded(.up))
            let minX = Int(pts.map(\.0).min() ?? 0), maxX = Int((pts.map(\.0).max() ?? 0).rounded(.up))
            func edge(_ a: (Double, Double), _ b: (Double, Double), _ p: (Double, Double)) -> Double {
                (b.0 - a.0) * (p.1 - a.1) - (b.1 - a.1) * (p.0 - a.0)
            }
            let area = edge(pts[0], pts[1], pts[2])
            guard area != 0 else { return }
            for y in max(minY, 0)...max(min(maxY, image.height - 1), 0) {
                for x in max(minX, 0)...max(min(maxX, image.width - 1), 0) {
                    let p = (Double(x) + 0.5, Double(y) + 0.5)
                    let w0 = edge(pts[1], pts[2], p) / area, w1 = edge(pts[2], pts[0], p) / area, w2 = edge(pts[0], pts[1], p) / area
                    if w0 >= 0, w1 >= 0, w2 >= 0 { Self.blend(&image, x, y, c, 1) }
                }
            }
        }
    }

    static func blend(_ image: inout Image, _ x: Int, _ y: Int, _ c: Color, _ coverage: Double) {
        guard x >= 0, y >= 0, x < image.width, y < image.height else { return }
        let a = Double(c.a) / 255 * min(max(coverage, 0), 1)
        guard a > 0 else { return }
        let stride = image.stride
        image.withUnsafeMutableBytes { raw in
            guard let p = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            let px = p + y * stride + x * 4
            px[0] = UInt8((Double(c.r) * a + Double(px[0]) * (1 - a)).rounded())
            px[1] = UInt8((Double(c.g) * a + Double(px[1]) * (1 - a)).rounded())
            px[2] = UInt8((Double(c.b) * a + Double(px[2]) * (1 - a)).rounded())
            px[3] = 255
        }
    }

    /// A filled (or, with `ring`, outlined) rectangle with round corners, anti-aliased.
    static func roundedRect(_ r: Rect, radius: Int, color: Color, ring: Int?, clip: Rect? = nil, into image: inout Image) {
        let rad = Double(min(radius, min(r.width, r.height) / 2))
        let x0 = Double(r.x0), y0 = Double(r.y0), x1 = Double(r.x1), y1 = Double(r.y1)
        func inside(_ px: Double, _ py: Double, inset: Double) -> Double {
            // Signed distance to a rounded box, negative inside.
            let cx = (x0 + x1) / 2, cy = (y0 + y1) / 2
            let hx = (x1 - x0) / 2 - inset, hy = (y1 - y0) / 2 - inset
            let rr = max(rad - inset, 0)
            let qx = abs(px - cx) - (hx - rr), qy = abs(py - cy) - (hy - rr)
            let outside = (max(qx, 0) * max(qx, 0) + max(qy, 0) * max(qy, 0)).squareRoot()
            return outside + min(max(qx, qy), 0) - rr
        }
        let area = clip.flatMap { r.intersection($0) } ?? r
        guard area.x0 < area.x1, area.y0 < area.y1 else { return }
        for y in max(area.y0, 0)..<max(min(area.y1, image.height), max(area.y0, 0)) {
            let py = Double(y) + 0.5
            let edgeRow = py < y0 + rad + 1 || py > y1 - rad - 1
            for x in max(area.x0, 0)..<max(min(area.x1, image.width), max(area.x0, 0)) {
                let px = Double(x) + 0.5
                if ring == nil, !edgeRow, px > x0 + rad + 1, px < x1 - rad - 1 {
                    blend(&image, x, y, color, 1)
                    continue
                }
                var coverage = min(max(0.5 - inside(px, py, inset: 0), 0), 1)
                if let ring {
                    let inner = min(max(0.5 - inside(px, py, inset: Double(ring)), 0), 1)
                    coverage -= inner
                }
                if coverage > 0 { blend(&image, x, y, color, coverage) }
            }
        }
    }
}
