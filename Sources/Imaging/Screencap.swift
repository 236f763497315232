/// Pixel formats that Android's `screencap` writes in its raw output (the
/// HAL_PIXEL_FORMAT numbers).
public enum ScreencapPixelFormat: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case rgba8888 = 1
    case rgbx8888 = 2
    case rgb888 = 3
    case rgb565 = 4
    case bgra8888 = 5

    public var bytesPerPixel: Int {
        switch self {
        case .rgba8888, .rgbx8888, .bgra8888: 4
        case .rgb888: 3
        case .rgb565: 2
        }
    }

    /// Android's name, e.g. "RGBA_8888".
    public var description: String {
        switch self {
        case .rgba8888: "RGBA_8888"
        case .rgbx8888: "RGBX_8888"
        case .rgb888: "RGB_888"
        case .rgb565: "RGB_565"
        case .bgra8888: "BGRA_8888"
        }
    }

    var layout: PixelLayout {
        switch self {
        case .rgba8888: .rgba8888
        case .rgbx8888: .rgbx8888
        case .rgb888: .rgb888
        case .rgb565: .rgb565
        case .bgra8888: .bgra8888
        }
    }

    static var known: String {
        allCases.map { "\($0.rawValue) \($0)" }.joined(separator: ", ")
    }
}

/// A decoded `screencap` raw frame (what `adb exec-out screencap` prints
/// without `-p`): little-endian u32 width, height, format, then on Android 8
/// and later a u32 colour space, then the pixel rows.
public struct RawScreencap: Sendable {
    public let image: Image
    public let format: ScreencapPixelFormat
    /// The colour space (dataspace) word of a 16-byte header; nil for the
    /// 12-byte header of Android 7 and earlier.
    public let colorSpace: UInt32?
    /// 16 or 12.
    public let headerSize: Int
    /// Bytes per row in the data: `width * bytesPerPixel`, or more on devices
    /// that pad their rows.
    public let rowStride: Int

    /// Decodes a raw screencap. The header length (16 or 12 bytes) and any row
    /// padding are worked out from the total length. (A 16-byte-header frame
    /// cut 4 bytes short is indistinguishable from a 12-byte-header frame and
    /// decodes as one.)
    public init(decoding data: some Collection<UInt8>) throws(ImagingError) {
        self = try withContiguousBytes(of: data) { raw throws(ImagingError) in try RawScreencap(raw) }
    }

    init(_ raw: UnsafeRawBufferPointer) throws(ImagingError) {
        let total = raw.count
        guard total >= 12 else { throw .truncated(.rawScreencap, length: total) }
        let width = Int(raw.loadLittleEndianUInt32(at: 0))
        let height = Int(raw.loadLittleEndianUInt32(at: 4))
        let formatNumber = raw.loadLittleEndianUInt32(at: 8)
        guard let format = ScreencapPixelFormat(rawValue: formatNumber) else {
            throw .unsupported(
                .rawScreencap,
                detail: "pixel format \(formatNumber) (known: \(ScreencapPixelFormat.known)); "
                    + "is this PNG output from `screencap -p`?")
        }
        try Image.validate(width: width, height: height)
        let rowBytes = width * format.bytesPerPixel
        let pixelBytes = rowBytes * height

        var header = 0
        var stride = rowBytes
        if total - 16 == pixelBytes {
            header = 16
        } else if total - 12 == pixelBytes {
            header = 12
        } else {
            // Some devices pad each row to a whole number of pixels (their
            // buffer's stride); the padding shows as extra bytes that divide
            // evenly by the height. Requiring whole pixels also tells the two
            // header lengths apart, as they differ by 4 bytes.
            for candidate in [16, 12] where total > candidate {
                let rest = total - candidate
                let bpp = format.bytesPerPixel
                if rest % height == 0, rest / height > rowBytes, (rest / height) % bpp == 0,
                    rest / height <= 2 * rowBytes + 256
                {
                    header = candidate
                    stride = rest / height
                    break
                }
            }
        }
        guard header != 0 else {
            let got = total >= 16 ? total - 16 : total - 12
            let hint =
                got > pixelBytes
                ? "more than expected: a shell run with a pty rewrites \\n as \\r\\n; use exec-out"
                : "the transfer was probably cut short"
            throw .malformed(
                .rawScreencap,
                detail: "\(pixelBytes) bytes of pixels expected for \(width)x\(height) \(format), got \(got) "
                    + "after a \(total >= 16 ? 16 : 12)-byte header (\(hint))")
        }
        self.image = Image(
            converting: raw, offset: header, sourceStride: stride, width: width, height: height,
            layout: format.layout)
        self.format = format
        self.colorSpace = header == 16 ? raw.loadLittleEndianUInt32(at: 12) : nil
        self.headerSize = header
        self.rowStride = stride
    }
}

/// A decoded reply of the adb `framebuffer:` service: a header describing the
/// pixel layout, then `size` bytes of pixels.
///
/// Header versions: 16 (the original: size, width, height; RGB 565),
/// 1 (bpp, size, width, height, then offset and length of red, blue, green and
/// alpha, in that order), 2 (as 1 with a colour space after bpp).
public struct FramebufferFrame: Sendable {
    public let image: Image
    public let version: UInt32
    public let bitsPerPixel: Int
    /// Version 2 only.
    public let colorSpace: UInt32?
    /// The number of header bytes before the pixels: 16, 52 or 56.
    public let headerSize: Int

    public init(decoding data: some Collection<UInt8>) throws(ImagingError) {
        self = try withContiguousBytes(of: data) { raw throws(ImagingError) in try FramebufferFrame(raw) }
    }

    init(_ raw: UnsafeRawBufferPointer) throws(ImagingError) {
        let total = raw.count
        guard total >= 4 else { throw .truncated(.framebuffer, length: total) }
        func word(_ index: Int) -> Int { Int(raw.loadLittleEndianUInt32(at: index * 4)) }
        let version = raw.loadLittleEndianUInt32(at: 0)
        typealias Channel = PixelLayout.Channel

        let header: Int
        let bpp: Int
        let size: Int
        let width: Int
        let height: Int
        var colorSpace: UInt32?
        var red = Channel(offset: 11, length: 5)
        var green = Channel(offset: 5, length: 6)
        var blue = Channel(offset: 0, length: 5)
        var alpha = Channel(offset: 0, length: 0)
        switch version {
        case 16:
            header = 16
            guard total >= header else { throw .truncated(.framebuffer, length: total) }
            bpp = 16
            (size, width, height) = (word(1), word(2), word(3))
        case 1, 2:
            header = version == 1 ? 52 : 56
            guard total >= header else { throw .truncated(.framebuffer, length: total) }
            let shift = version == 1 ? 0 : 1
            bpp = word(1)
            if version == 2 { colorSpace = raw.loadLittleEndianUInt32(at: 8) }
            size = word(2 + shift)
            width = word(3 + shift)
            height = word(4 + shift)
            red = Channel(offset: word(5 + shift), length: word(6 + shift))
            blue = Channel(offset: word(7 + shift), length: word(8 + shift))
            green = Channel(offset: word(9 + shift), length: word(10 + shift))
            alpha = Channel(offset: word(11 + shift), length: word(12 + shift))
        default:
            throw .unsupported(.framebuffer, detail: "header version \(version) (known: 1, 2, 16)")
        }

        guard [16, 24, 32].contains(bpp) else {
            throw .unsupported(.framebuffer, detail: "\(bpp) bits per pixel (known: 16, 24, 32)")
        }
        for (name, channel) in [("red", red), ("green", green), ("blue", blue), ("alpha", alpha)]
        where channel.length > 0 && (channel.length > bpp || channel.offset > bpp - channel.length) {
            throw .malformed(
                .framebuffer,
                detail: "\(name) channel at bit \(channel.offset), \(channel.length) bits long, "
                    + "does not fit a \(bpp)-bit pixel")
        }
        try Image.validate(width: width, height: height)
        let bytesPerPixel = bpp / 8
        let rowBytes = width * bytesPerPixel
        let pixelBytes = rowBytes * height
        guard size >= pixelBytes else {
            throw .malformed(
                .framebuffer,
                detail: "header says \(size) bytes of pixels, but \(width)x\(height) at \(bpp) bits needs \(pixelBytes)")
        }
        guard total - header >= size else {
            throw .malformed(
                .framebuffer,
                detail: "\(size) bytes of pixels expected for \(width)x\(height) at \(bpp) bits, got \(total - header)")
        }
        let stride = size % height == 0 ? size / height : rowBytes
        let layout = PixelLayout.from(bytesPerPixel: bytesPerPixel, red: red, green: green, blue: blue, alpha: alpha)
        self.image = Image(
            converting: raw, offset: header, sourceStride: stride, width: width, height: height, layout: layout)
        self.version = version
        self.bitsPerPixel = bpp
        self.colorSpace = colorSpace
        self.headerSize = header
    }
}

extension Image {
    /// Decodes `screencap` raw output; see `RawScreencap`.
    public init(rawScreencap data: some Collection<UInt8>) throws(ImagingError) {
        self = try RawScreencap(decoding: data).image
    }
}

extension UnsafeRawBufferPointer {
    /// The caller has checked that `offset + 4 <= count`.
    @inline(__always)
    func loadLittleEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}
