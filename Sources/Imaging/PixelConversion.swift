/// How the bits of one device pixel map to R, G, B and A. Raw screencap and
/// the framebuffer service both come down to one of these.
enum PixelLayout: Sendable, Equatable {
    /// Bytes R, G, B, A.
    case rgba8888
    /// Bytes R, G, B, X (alpha taken as 255).
    case rgbx8888
    /// Bytes B, G, R, A.
    case bgra8888
    /// Bytes R, G, B.
    case rgb888
    /// A little-endian u16: R in bits 11-15, G in 5-10, B in 0-4.
    case rgb565
    /// Anything else: a little-endian value of `bytesPerPixel` bytes with
    /// each channel at (offset, length) bits; length 0 means "absent"
    /// (0 for colour, 255 for alpha).
    case channels(bytesPerPixel: Int, red: Channel, green: Channel, blue: Channel, alpha: Channel)

    struct Channel: Sendable, Equatable {
        var offset: Int
        var length: Int
    }

    var bytesPerPixel: Int {
        switch self {
        case .rgba8888, .rgbx8888, .bgra8888: 4
        case .rgb888: 3
        case .rgb565: 2
        case let .channels(bytesPerPixel, _, _, _, _): bytesPerPixel
        }
    }

    /// The layout a channel description names, using a fast path when there is one.
    static func from(bytesPerPixel: Int, red: Channel, green: Channel, blue: Channel, alpha: Channel) -> PixelLayout {
        func at(_ c: Channel, _ offset: Int, _ length: Int) -> Bool { c.offset == offset && c.length == length }
        switch bytesPerPixel {
        case 4 where at(red, 0, 8) && at(green, 8, 8) && at(blue, 16, 8):
            if at(alpha, 24, 8) { return .rgba8888 }
            if alpha.length == 0 { return .rgbx8888 }
        case 4 where at(red, 16, 8) && at(green, 8, 8) && at(blue, 0, 8) && at(alpha, 24, 8):
            return .bgra8888
        case 3 where at(red, 0, 8) && at(green, 8, 8) && at(blue, 16, 8) && alpha.length == 0:
            return .rgb888
        case 2 where at(red, 11, 5) && at(green, 5, 6) && at(blue, 0, 5) && alpha.length == 0:
            return .rgb565
        default:
            break
        }
        return .channels(bytesPerPixel: bytesPerPixel, red: red, green: green, blue: blue, alpha: alpha)
    }
}

/// Widens an n-bit value to 8 bits by repeating its bits (5-bit 31 -> 255,
/// 5-bit 16 -> 132), so black stays 0 and full intensity becomes 255.
@inline(__always)
func widen(_ value: UInt32, bits: Int) -> UInt8 {
    if bits >= 8 { return UInt8(truncatingIfNeeded: value >> UInt32(bits - 8)) }
    var result: UInt32 = 0
    var filled = 0
    while filled < 8 {
        let shift = 8 - filled - bits
        result |= shift >= 0 ? value << UInt32(shift) : value >> UInt32(-shift)
        filled += bits
    }
    return UInt8(truncatingIfNeeded: result)
}

extension Image {
    /// Converts `height` rows of device pixels, the first at `offset` in
    /// `source` and each `sourceStride` bytes after the previous, to a packed
    /// RGBA image. The caller has checked that every row lies inside `source`
    /// and that the size is valid.
    init(
        converting source: UnsafeRawBufferPointer, offset: Int, sourceStride: Int,
        width: Int, height: Int, layout: PixelLayout
    ) {
        self.init(uncheckedWidth: width, height: height) { destination in
            guard let from = source.baseAddress, let to = destination.baseAddress else { return }
            let rowBytes = width * 4
            for y in 0..<height {
                let src = from + offset + y * sourceStride
                let dst = to + y * rowBytes
                Image.convertRow(src, dst, width: width, layout: layout)
            }
        }
    }

    @inline(__always)
    static func convertRow(_ src: UnsafeRawPointer, _ dst: UnsafeMutableRawPointer, width: Int, layout: PixelLayout) {
        let out = dst.assumingMemoryBound(to: UInt32.self)
        switch layout {
        case .rgba8888:
            dst.copyMemory(from: src, byteCount: width * 4)
        case .rgbx8888:
            for x in 0..<width {
                out[x] = src.loadUnaligned(fromByteOffset: x &* 4, as: UInt32.self) | UInt32(littleEndian: 0xFF00_0000)
            }
        case .bgra8888:
            for x in 0..<width {
                let v = UInt32(littleEndian: src.loadUnaligned(fromByteOffset: x &* 4, as: UInt32.self))
                let swapped = (v & 0xFF00_FF00) | ((v >> 16) & 0xFF) | ((v & 0xFF) << 16)
                out[x] = UInt32(littleEndian: swapped)
            }
        case .rgb888:
            let bytes = src.assumingMemoryBound(to: UInt8.self)
            for x in 0..<width {
                let i = x &* 3
                let v = UInt32(bytes[i]) | UInt32(bytes[i &+ 1]) << 8 | UInt32(bytes[i &+ 2]) << 16 | 0xFF00_0000
                out[x] = UInt32(littleEndian: v)
            }
        case .rgb565:
            for x in 0..<width {
                let v = UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: x &* 2, as: UInt16.self)))
                let r = v >> 11
                let g = (v >> 5) & 0x3F
                let b = v & 0x1F
                let r8 = (r << 3) | (r >> 2)
                let g8 = (g << 2) | (g >> 4)
                let b8 = (b << 3) | (b >> 2)
                out[x] = UInt32(littleEndian: r8 | g8 << 8 | b8 << 16 | 0xFF00_0000)
            }
        case let .channels(bytesPerPixel, red, green, blue, alpha):
            let bytes = src.assumingMemoryBound(to: UInt8.self)
            func channel(_ value: UInt32, _ c: PixelLayout.Channel, absent: UInt8) -> UInt8 {
                guard c.length > 0 else { return absent }
                let mask: UInt32 = c.length >= 32 ? .max : (1 << UInt32(c.length)) - 1
                return widen((value >> UInt32(c.offset)) & mask, bits: c.length)
            }
            for x in 0..<width {
                var value: UInt32 = 0
                for k in 0..<bytesPerPixel {
                    value |= UInt32(bytes[x &* bytesPerPixel &+ k]) << UInt32(8 * k)
                }
                let r = channel(value, red, absent: 0)
                let g = channel(value, green, absent: 0)
                let b = channel(value, blue, absent: 0)
                let a = channel(value, alpha, absent: 255)
                out[x] = UInt32(littleEndian: UInt32(r) | UInt32(g) << 8 | UInt32(b) << 16 | UInt32(a) << 24)
            }
        }
    }
}
