/// A quarter-turn rotation, clockwise as the picture is seen.
public enum Rotation: Int, Sendable, CaseIterable {
    case degrees90 = 90
    case degrees180 = 180
    case degrees270 = 270
}

extension Image {
    /// The part of the image inside the rectangle, which must lie within the image.
    public func cropped(x: Int, y: Int, width newWidth: Int, height newHeight: Int) throws(ImagingError) -> Image {
        try Image.validate(width: newWidth, height: newHeight)
        guard x >= 0, y >= 0, x <= width - newWidth, y <= height - newHeight else {
            throw .invalidArgument(
                "crop rectangle at (\(x), \(y)) of \(newWidth)x\(newHeight) does not lie within the "
                    + "\(width)x\(height) image")
        }
        let rowBytes = newWidth * 4
        return Image(uncheckedWidth: newWidth, height: newHeight) { out in
            bytes.withUnsafeBytes { input in
                guard let src = input.baseAddress, let dst = out.baseAddress else { return }
                for row in 0..<newHeight {
                    (dst + row * rowBytes).copyMemory(from: src + (y + row) * stride + x * 4, byteCount: rowBytes)
                }
            }
        }
    }

    /// The image turned clockwise by a quarter, half or three-quarter turn.
    public func rotated(clockwise rotation: Rotation) -> Image {
        let (w, h) = rotation == .degrees180 ? (width, height) : (height, width)
        let sourceStride = stride
        let sourceWidth = width
        let sourceHeight = height
        return Image(uncheckedWidth: w, height: h) { out in
            bytes.withUnsafeBytes { input in
                guard let src = input.baseAddress, let dst = out.baseAddress else { return }
                let o = dst.assumingMemoryBound(to: UInt32.self)
                // Walk the output in order; pick each pixel's source.
                for oy in 0..<h {
                    let line = o + oy * w
                    for ox in 0..<w {
                        let sx: Int
                        let sy: Int
                        switch rotation {
                        case .degrees90: (sx, sy) = (oy, sourceHeight - 1 - ox)
                        case .degrees180: (sx, sy) = (sourceWidth - 1 - ox, sourceHeight - 1 - oy)
                        case .degrees270: (sx, sy) = (sourceWidth - 1 - oy, ox)
                        }
                        line[ox] = src.loadUnaligned(fromByteOffset: sy &* sourceStride &+ sx &* 4, as: UInt32.self)
                    }
                }
            }
        }
    }
}
