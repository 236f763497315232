/// Resampling filters. Resizing follows Pillow 13's `Image.resize`: a separable
/// convolution (in the order Pillow picks, see `verticalPassFirst`) whose kernel is widened by the
/// downscale factor (so shrinking averages every source pixel, no aliasing),
/// computed in 22-bit fixed point with the intermediate rows rounded to 8 bits.
/// The output matches Pillow's to within 1 per channel (in practice exactly).
public enum ResamplingFilter: String, Sendable, CaseIterable {
    /// Pillow's BOX: the average of the source pixels each output pixel covers.
    case box
    /// Pillow's BILINEAR: triangle kernel, support 1.
    case bilinear
    /// Pillow's BICUBIC: Keys cubic with a = -0.5, support 2.
    case bicubic
    /// Pillow's LANCZOS: sinc windowed by sinc, support 3.
    case lanczos

    var support: Double {
        switch self {
        case .box: 0.5
        case .bilinear: 1
        case .bicubic: 2
        case .lanczos: 3
        }
    }

    func weight(_ t: Double) -> Double {
        switch self {
        case .box:
            return t > -0.5 && t <= 0.5 ? 1 : 0
        case .bilinear:
            let x = abs(t)
            return x < 1 ? 1 - x : 0
        case .bicubic:
            let a = -0.5
            let x = abs(t)
            if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
            if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
            return 0
        case .lanczos:
            guard -3 <= t, t < 3 else { return 0 }
            return ResamplingFilter.sinc(t) * ResamplingFilter.sinc(t / 3)
        }
    }

    private static func sinc(_ t: Double) -> Double {
        if t == 0 { return 1 }
        let x = t * Double.pi
        return sin(x) / x
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The taps of one pass: for each output index, the first source index, the
/// number of taps, and `taps` weights (only the first `count` used).
struct ResampleKernel {
    let taps: Int
    var first: [Int]
    var count: [Int]
    var weights: [Double]

    /// Fixed point with 22 fractional bits, as Pillow's 8-bit path uses.
    static let precisionBits = 22

    init(inputSize: Int, outputSize: Int, filter: ResamplingFilter) {
        let scale = Double(inputSize) / Double(outputSize)
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        let taps = Int(support.rounded(.up)) * 2 + 1
        self.taps = taps
        first = [Int](repeating: 0, count: outputSize)
        count = [Int](repeating: 0, count: outputSize)
        weights = [Double](repeating: 0, count: outputSize * taps)
        let inverseScale = 1 / filterScale
        for xx in 0..<outputSize {
            let center = (Double(xx) + 0.5) * scale
            let xmin = max(Int(center - support + 0.5), 0)
            let xmax = min(Int(center + support + 0.5), inputSize) - xmin
            var total = 0.0
            for x in 0..<max(xmax, 0) {
                let w = filter.weight((Double(x + xmin) - center + 0.5) * inverseScale)
                weights[xx * taps + x] = w
                total += w
            }
            if total != 0 {
                for x in 0..<max(xmax, 0) { weights[xx * taps + x] /= total }
            }
            first[xx] = xmin
            count[xx] = max(xmax, 0)
        }
    }

    /// The weights rounded to 22-bit fixed point, half away from zero.
    var fixedPoint: [Int32] {
        let one = Double(1 << ResampleKernel.precisionBits)
        return weights.map { w in
            w < 0 ? Int32(-0.5 + w * one) : Int32(0.5 + w * one)
        }
    }
}

extension Image {
    /// A resized copy, computed as Pillow's `resize((width, height), filter)`
    /// computes it (including, for images with transparency, resampling in
    /// premultiplied alpha and dividing it out again).
    public func resized(
        width newWidth: Int, height newHeight: Int, filter: ResamplingFilter = .bicubic
    )
        throws(ImagingError) -> Image
    {
        try Image.validate(width: newWidth, height: newHeight)
        if newWidth == width, newHeight == height { return Image.packed(self) }
        let premultiplied = !isOpaque
        var source = premultiplied ? premultipliedCopy() : self

        let vertical = ResampleKernel(inputSize: height, outputSize: newHeight, filter: filter)
        let horizontal = ResampleKernel(inputSize: width, outputSize: newWidth, filter: filter)
        if newWidth == width {
            source = source.verticalPass(vertical, height: newHeight)
        } else if newHeight == height {
            source = source.horizontalPass(horizontal, width: newWidth, rows: 0..<height)
        } else if Image.verticalPassFirst(from: (width, height), to: (newWidth, newHeight)) {
            source = source.verticalPass(vertical, height: newHeight)
            source = source.horizontalPass(horizontal, width: newWidth, rows: 0..<newHeight)
        } else {
            // Only the source rows the vertical pass reads need a horizontal pass.
            let firstRow = vertical.first[0]
            let lastRow = vertical.first[newHeight - 1] + vertical.count[newHeight - 1]
            source = source.horizontalPass(horizontal, width: newWidth, rows: firstRow..<lastRow)
            var shifted = vertical
            shifted.first = vertical.first.map { $0 - firstRow }
            source = source.verticalPass(shifted, height: newHeight)
        }
        return premultiplied ? source.unpremultipliedCopy() : source
    }

    /// Pillow 13 runs the vertical pass first when the height shrinks by more
    /// than twice as many pixels as the width does (Pillow 12 and earlier
    /// always ran the horizontal pass first). The order matters because the
    /// intermediate image is rounded to 8 bits.
    static func verticalPassFirst(from source: (Int, Int), to target: (Int, Int)) -> Bool {
        target.1 < source.1 && source.1 - target.1 > 2 * (source.0 - target.0)
    }

    static func packed(_ image: Image) -> Image {
        if image.stride == image.width * 4 { return image }
        let bytes = image.packedBytes
        return Image(uncheckedWidth: image.width, height: image.height) { out in
            out.copyBytes(from: bytes)
        }
    }

    /// Applies the horizontal kernel to `rows` of this image.
    func horizontalPass(_ kernel: ResampleKernel, width newWidth: Int, rows: Range<Int>) -> Image {
        let k = kernel.fixedPoint
        let taps = kernel.taps
        return Image(uncheckedWidth: newWidth, height: rows.count) { out in
            bytes.withUnsafeBufferPointer { input in
                k.withUnsafeBufferPointer { weights in
                    kernel.first.withUnsafeBufferPointer { first in
                        kernel.count.withUnsafeBufferPointer { count in
                            guard let src = input.baseAddress, let w = weights.baseAddress,
                                let dst = out.baseAddress?.assumingMemoryBound(to: UInt8.self)
                            else { return }
                            for (row, y) in rows.enumerated() {
                                let line = src + y * stride
                                let outLine = dst + row * newWidth * 4
                                for xx in 0..<newWidth {
                                    let start = line + first[xx] &* 4
                                    let kw = w + xx &* taps
                                    var s0: Int32 = 1 << 21
                                    var s1: Int32 = 1 << 21
                                    var s2: Int32 = 1 << 21
                                    var s3: Int32 = 1 << 21
                                    for x in 0..<count[xx] {
                                        let p = start + x &* 4
                                        let c = kw[x]
                                        s0 = s0 &+ Int32(p[0]) &* c
                                        s1 = s1 &+ Int32(p[1]) &* c
                                        s2 = s2 &+ Int32(p[2]) &* c
                                        s3 = s3 &+ Int32(p[3]) &* c
                                    }
                                    let o = outLine + xx &* 4
                                    o[0] = clip8(s0)
                                    o[1] = clip8(s1)
                                    o[2] = clip8(s2)
                                    o[3] = clip8(s3)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Applies the vertical kernel (whose `first` indexes rows of this image).
    func verticalPass(_ kernel: ResampleKernel, height newHeight: Int) -> Image {
        let k = kernel.fixedPoint
        let taps = kernel.taps
        let rowBytes = width * 4
        return Image(uncheckedWidth: width, height: newHeight) { out in
            bytes.withUnsafeBufferPointer { input in
                k.withUnsafeBufferPointer { weights in
                    guard let src = input.baseAddress, let w = weights.baseAddress,
                        let dst = out.baseAddress?.assumingMemoryBound(to: UInt8.self)
                    else { return }
                    // Accumulate a whole output row at once, source row by
                    // source row, so memory is read in order.
                    var sums = [Int32](repeating: 0, count: rowBytes)
                    sums.withUnsafeMutableBufferPointer { acc in
                        guard let sum = acc.baseAddress else { return }
                        for yy in 0..<newHeight {
                            for i in 0..<rowBytes { sum[i] = 1 << 21 }
                            let kw = w + yy &* taps
                            let first = kernel.first[yy]
                            for y in 0..<kernel.count[yy] {
                                let c = kw[y]
                                let line = src + (first + y) &* stride
                                for i in 0..<rowBytes {
                                    sum[i] = sum[i] &+ Int32(line[i]) &* c
                                }
                            }
                            let outLine = dst + yy &* rowBytes
                            for i in 0..<rowBytes { outLine[i] = clip8(sum[i]) }
                        }
                    }
                }
            }
        }
    }

    /// Pillow's RGBA -> RGBa: each colour times alpha / 255, rounded.
    func premultipliedCopy() -> Image {
        Image(uncheckedWidth: width, height: height) { out in
            bytes.withUnsafeBufferPointer { input in
                guard let src = input.baseAddress, let dst = out.baseAddress?.assumingMemoryBound(to: UInt8.self)
                else { return }
                for y in 0..<height {
                    let s = src + y * stride
                    let d = dst + y * width * 4
                    for x in 0..<width {
                        let i = x &* 4
                        let a = UInt32(s[i + 3])
                        d[i] = muldiv255(UInt32(s[i]), a)
                        d[i + 1] = muldiv255(UInt32(s[i + 1]), a)
                        d[i + 2] = muldiv255(UInt32(s[i + 2]), a)
                        d[i + 3] = s[i + 3]
                    }
                }
            }
        }
    }

    /// Pillow's RGBa -> RGBA: each colour times 255 / alpha, truncated and
    /// clipped; alpha 0 and 255 leave the colour as it is.
    func unpremultipliedCopy() -> Image {
        var copy = self
        copy.withUnsafeMutableBytes { raw in
            guard let p = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            for y in 0..<height {
                let row = p + y * stride
                for x in 0..<width {
                    let i = x &* 4
                    let a = UInt32(row[i + 3])
                    if a == 0 || a == 255 { continue }
                    row[i] = UInt8(min(255 * UInt32(row[i]) / a, 255))
                    row[i + 1] = UInt8(min(255 * UInt32(row[i + 1]) / a, 255))
                    row[i + 2] = UInt8(min(255 * UInt32(row[i + 2]) / a, 255))
                }
            }
        }
        return copy
    }
}

@inline(__always)
func clip8(_ sum: Int32) -> UInt8 {
    let v = sum >> 22
    return v < 0 ? 0 : v > 255 ? 255 : UInt8(truncatingIfNeeded: v)
}

@inline(__always)
func muldiv255(_ a: UInt32, _ b: UInt32) -> UInt8 {
    let t = a &* b &+ 128
    return UInt8(truncatingIfNeeded: ((t >> 8) &+ t) >> 8)
}
