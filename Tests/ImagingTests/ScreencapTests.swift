import TetherTestSupport
import Testing

@testable import Imaging
import Basics

/// A known picture, as the true colour of each pixel.
private func truth(_ x: Int, _ y: Int) -> Color {
    Color(
        r: UInt8((x * 37 + y * 11) & 0xFF), g: UInt8((x * 5 + y * 71 + 3) & 0xFF),
        b: UInt8((x * y * 13 + 101) & 0xFF), a: UInt8((x * 29 + y * 7 + 17) & 0xFF))
}

/// Replicates the top bits of an n-bit value into the low bits (5-bit 31 -> 255).
private func expand(_ v: UInt8, bits: Int) -> UInt8 {
    bits == 5 ? (v << 3) | (v >> 2) : (v << 2) | (v >> 4)
}

/// What a device sends for one pixel, and what decoding it must give back.
private func device(_ format: ScreencapPixelFormat, _ c: Color) -> (bytes: [UInt8], decoded: Color) {
    switch format {
    case .rgba8888: return ([c.r, c.g, c.b, c.a], c)
    case .rgbx8888: return ([c.r, c.g, c.b, c.a], Color(r: c.r, g: c.g, b: c.b))
    case .rgb888: return ([c.r, c.g, c.b], Color(r: c.r, g: c.g, b: c.b))
    case .bgra8888: return ([c.b, c.g, c.r, c.a], c)
    case .rgb565:
        let (r, g, b) = (c.r >> 3, c.g >> 2, c.b >> 3)
        let v = UInt16(r) << 11 | UInt16(g) << 5 | UInt16(b)
        return (
            [UInt8(v & 0xFF), UInt8(v >> 8)],
            Color(r: expand(r, bits: 5), g: expand(g, bits: 6), b: expand(b, bits: 5))
        )
    }
}

private func screencap(
    _ format: ScreencapPixelFormat, width: Int, height: Int, header: Int, padding: Int = 0, colorSpace: UInt32 = 1
) -> (data: [UInt8], expected: Image) {
    var words: [UInt32] = [UInt32(width), UInt32(height), format.rawValue]
    if header == 16 { words.append(colorSpace) }
    var data = littleEndian(words)
    var expected = try! Image(width: width, height: height)
    for y in 0..<height {
        for x in 0..<width {
            let (bytes, decoded) = device(format, truth(x, y))
            data += bytes
            expected.setPixel(x: x, y: y, to: decoded)
        }
        data += [UInt8](repeating: 0xA5, count: padding)
    }
    return (data, expected)
}

@Suite struct RawScreencapTests {
    @Test(arguments: ScreencapPixelFormat.allCases, [12, 16])
    func decodesEveryFormatAndHeader(_ format: ScreencapPixelFormat, header: Int) throws {
        let (data, expected) = screencap(format, width: 7, height: 5, header: header, colorSpace: 2)
        let frame = try RawScreencap(decoding: data)
        #expect(frame.image == expected)
        #expect(frame.format == format)
        #expect(frame.headerSize == header)
        #expect(frame.colorSpace == (header == 16 ? 2 : nil))
        #expect(frame.rowStride == 7 * format.bytesPerPixel)
        #expect(try Image(rawScreencap: data) == expected)
    }

    /// Devices that pad rows: the stride is worked out from the length.
    @Test(arguments: ScreencapPixelFormat.allCases, [12, 16])
    func decodesPaddedRows(_ format: ScreencapPixelFormat, header: Int) throws {
        let (data, expected) = screencap(format, width: 9, height: 4, header: header, padding: 12)
        let frame = try RawScreencap(decoding: data)
        #expect(frame.image == expected)
        #expect(frame.headerSize == header)
        #expect(frame.rowStride == 9 * format.bytesPerPixel + 12)
    }

    @Test func phoneSizedFrame() throws {
        let (width, height) = (1080, 2400)
        var data = littleEndian([UInt32(width), UInt32(height), 1, 0])
        data.reserveCapacity(16 + width * height * 4)
        for y in 0..<height {
            for x in 0..<width { data += [UInt8(x & 0xFF), UInt8(y & 0xFF), UInt8((x ^ y) & 0xFF), 255] }
        }
        let image = try Image(rawScreencap: data)
        #expect(image.width == width && image.height == height)
        for (x, y) in [(1079, 2399), (300, 7), (0, 0), (517, 1234)] {
            let expected = Color(r: UInt8(x & 0xFF), g: UInt8(y & 0xFF), b: UInt8((x ^ y) & 0xFF))
            #expect(image.pixel(x: x, y: y) == expected)
        }
    }

    /// Every 5- and 6-bit value widens by bit replication: 0 -> 0, full -> 255,
    /// and within 1 of the exact value * 255 / full.
    @Test func rgb565Widening() throws {
        var data = littleEndian([64, 1, 4, 0])
        for v in 0..<64 {
            let r = UInt16(v & 31)
            let word = r << 11 | UInt16(v) << 5 | r
            data += [UInt8(word & 0xFF), UInt8(word >> 8)]
        }
        let image = try Image(rawScreencap: data)
        for v in 0..<64 {
            let pixel = try #require(image.pixel(x: v, y: 0))
            let r = v & 31
            #expect(abs(Double(pixel.r) - Double(r) * 255 / 31) <= 1)
            #expect(abs(Double(pixel.g) - Double(v) * 255 / 63) <= 1)
            #expect(pixel.b == pixel.r && pixel.a == 255)
        }
        #expect(image.pixel(x: 0, y: 0) == Color(r: 0, g: 0, b: 0))
        #expect(image.pixel(x: 63, y: 0) == Color(r: 255, g: 255, b: 255))
        #expect(image.pixel(x: 16, y: 0)?.r == 132)
    }

    @Test func shortDataSaysHowShort() {
        let data = littleEndian([1080, 2400, 1, 0]) + [UInt8](repeating: 0, count: 5000)
        #expect(throws: ImagingError.self) { try RawScreencap(decoding: data) }
        do {
            _ = try RawScreencap(decoding: data)
        } catch {
            #expect(
                error.description.hasPrefix(
                    "raw screencap: 10368000 bytes of pixels expected for 1080x2400 RGBA_8888, got 5000"),
                "\(error)")
            #expect(error.description.contains("cut short"))
        }
    }

    @Test func longDataMentionsThePty() {
        // What `adb shell screencap` through a pty does: every 0x0A gains a 0x0D.
        let (data, _) = screencap(.rgba8888, width: 4, height: 4, header: 16)
        var mangled: [UInt8] = []
        for byte in data { if byte == 0x0A { mangled.append(0x0D) }; mangled.append(byte) }
        mangled += [0x0D, 0x0A]  // at least one extra byte even without any 0x0A
        do {
            _ = try RawScreencap(decoding: mangled)
            Issue.record("decoded")
        } catch {
            #expect(error.description.contains("exec-out"), "\(error)")
        }
    }

    @Test func rejectsBadHeaders() throws {
        #expect(throws: ImagingError.truncated(.rawScreencap, length: 11)) {
            try RawScreencap(decoding: [UInt8](repeating: 1, count: 11))
        }
        do {
            _ = try RawScreencap(decoding: littleEndian([2, 2, 7, 0]) + [UInt8](repeating: 0, count: 16))
            Issue.record("format 7 decoded")
        } catch {
            guard case .unsupported(.rawScreencap, let detail) = error else { Issue.record("\(error)"); return }
            #expect(detail.contains("pixel format 7"))
            #expect(detail.contains("1 RGBA_8888") && detail.contains("5 BGRA_8888"))
        }
        #expect(throws: ImagingError.tooLarge(width: 0xFFFF_FFFF, height: 0xFFFF_FFFF)) {
            try RawScreencap(decoding: littleEndian([0xFFFF_FFFF, 0xFFFF_FFFF, 1, 0]))
        }
        #expect(throws: ImagingError.tooLarge(width: 20000, height: 10000)) {
            try RawScreencap(decoding: littleEndian([20000, 10000, 1, 0]))
        }
        #expect(throws: ImagingError.invalidSize(width: 0, height: 5)) {
            try RawScreencap(decoding: littleEndian([0, 5, 1, 0]))
        }
        // `screencap -p` output (a PNG) handed to the raw decoder.
        let png = try Fixtures.bytes("png-rgb-7x5.png")
        do {
            _ = try RawScreencap(decoding: png)
            Issue.record("PNG decoded as raw")
        } catch {
            #expect(error.description.contains("screencap -p"), "\(error)")
        }
    }

    /// Random cuts and byte flips never crash and never yield a wrong-sized image.
    @Test func truncationAndFlipsNeverCrash() throws {
        var rng = SplitMix64(seed: 99)
        for format in ScreencapPixelFormat.allCases {
            for header in [12, 16] {
                let (data, _) = screencap(format, width: 6, height: 5, header: header)
                for length in 0..<data.count {
                    if header == 16 && length == data.count - 4 {
                        // Exactly the length of a 12-byte-header frame: the
                        // format cannot tell these apart.
                        #expect(try RawScreencap(decoding: data[0..<length]).headerSize == 12)
                        continue
                    }
                    #expect(throws: ImagingError.self) { try RawScreencap(decoding: data[0..<length]) }
                }
                for _ in 0..<200 {
                    var copy = data
                    for _ in 0..<Int.random(in: 1...3, using: &rng) {
                        copy[Int.random(in: 0..<copy.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                    }
                    if let frame = try? RawScreencap(decoding: copy) {
                        #expect(
                            frame.image.width * frame.image.height * frame.format.bytesPerPixel + frame.headerSize
                                <= copy.count)
                    }
                }
            }
        }
    }
}

/// Builds a framebuffer-service reply with the given channel layout.
private func framebuffer(
    version: UInt32, bpp: Int, width: Int, height: Int,
    red: (Int, Int), green: (Int, Int), blue: (Int, Int), alpha: (Int, Int),
    colorSpace: UInt32 = 0, extraSize: Int = 0
) -> (data: [UInt8], expected: Image) {
    let bytesPerPixel = bpp / 8
    let size = (width * bytesPerPixel + extraSize) * height
    var header: [UInt32]
    switch version {
    case 16: header = [16, UInt32(size), UInt32(width), UInt32(height)]
    default:
        header = [version, UInt32(bpp)]
        if version == 2 { header.append(colorSpace) }
        header += [UInt32(size), UInt32(width), UInt32(height)]
        header += [red, blue, green, alpha].flatMap { [UInt32($0.0), UInt32($0.1)] }
    }
    var data = littleEndian(header)
    var expected = try! Image(width: width, height: height)
    func quantize(_ v: UInt8, _ channel: (Int, Int)) -> (UInt32, UInt8) {
        let (offset, length) = channel
        guard length > 0 else { return (0, 0) }
        if length >= 8 { return (UInt32(v) << UInt32(length - 8 + offset), v) }
        let q = UInt32(v) >> UInt32(8 - length)
        var back: UInt32 = 0
        var filled = 0
        while filled < 8 {
            let shift = 8 - filled - length
            back |= shift >= 0 ? q << UInt32(shift) : q >> UInt32(-shift)
            filled += length
        }
        return (q << UInt32(offset), UInt8(back & 0xFF))
    }
    for y in 0..<height {
        for x in 0..<width {
            let c = truth(x, y)
            let (r, r8) = quantize(c.r, red)
            let (g, g8) = quantize(c.g, green)
            let (b, b8) = quantize(c.b, blue)
            let (a, a8) = quantize(c.a, alpha)
            let value = r | g | b | a
            for k in 0..<bytesPerPixel { data.append(UInt8((value >> UInt32(8 * k)) & 0xFF)) }
            expected.setPixel(x: x, y: y, to: Color(r: r8, g: g8, b: b8, a: alpha.1 == 0 ? 255 : a8))
        }
        data += [UInt8](repeating: 0x5A, count: extraSize)
    }
    return (data, expected)
}

@Suite struct FramebufferTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var version: UInt32
        var bpp: Int
        var red: (Int, Int)
        var green: (Int, Int)
        var blue: (Int, Int)
        var alpha: (Int, Int)
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "v2 RGBA_8888", version: 2, bpp: 32, red: (0, 8), green: (8, 8), blue: (16, 8), alpha: (24, 8)),
        Case(name: "v2 RGBX_8888", version: 2, bpp: 32, red: (0, 8), green: (8, 8), blue: (16, 8), alpha: (0, 0)),
        Case(name: "v2 BGRA_8888", version: 2, bpp: 32, red: (16, 8), green: (8, 8), blue: (0, 8), alpha: (24, 8)),
        Case(name: "v1 RGBA_8888", version: 1, bpp: 32, red: (0, 8), green: (8, 8), blue: (16, 8), alpha: (24, 8)),
        Case(name: "v1 RGB_565", version: 1, bpp: 16, red: (11, 5), green: (5, 6), blue: (0, 5), alpha: (0, 0)),
        Case(name: "v1 BGR_565", version: 1, bpp: 16, red: (0, 5), green: (5, 6), blue: (11, 5), alpha: (0, 0)),
        Case(name: "v2 RGB_888", version: 2, bpp: 24, red: (0, 8), green: (8, 8), blue: (16, 8), alpha: (0, 0)),
        Case(name: "v2 BGR_888", version: 2, bpp: 24, red: (16, 8), green: (8, 8), blue: (0, 8), alpha: (0, 0)),
        Case(name: "v2 ARGB_8888", version: 2, bpp: 32, red: (8, 8), green: (16, 8), blue: (24, 8), alpha: (0, 8)),
        Case(name: "v2 RGBA_4444", version: 2, bpp: 16, red: (12, 4), green: (8, 4), blue: (4, 4), alpha: (0, 4)),
        Case(name: "v2 RGBA_5551", version: 2, bpp: 16, red: (11, 5), green: (6, 5), blue: (1, 5), alpha: (0, 1)),
        Case(name: "v2 RGBA_1010102", version: 2, bpp: 32, red: (0, 10), green: (10, 10), blue: (20, 10), alpha: (30, 2)),
        Case(name: "v16 (RGB_565 implied)", version: 16, bpp: 16, red: (11, 5), green: (5, 6), blue: (0, 5), alpha: (0, 0))
    ]

    @Test(arguments: cases)
    func decodesLayout(_ c: Case) throws {
        let (data, expected) = framebuffer(
            version: c.version, bpp: c.bpp, width: 7, height: 5, red: c.red, green: c.green, blue: c.blue,
            alpha: c.alpha, colorSpace: 3)
        let frame = try FramebufferFrame(decoding: data)
        let difference = Difference(frame.image, expected)
        #expect(difference.maximum == 0, "\(difference)")
        #expect(frame.version == c.version)
        #expect(frame.bitsPerPixel == c.bpp)
        #expect(frame.headerSize == [1: 52, 2: 56, 16: 16][c.version])
        #expect(frame.colorSpace == (c.version == 2 ? 3 : nil))
    }

    @Test func paddedRowsFollowTheSizeField() throws {
        let (data, expected) = framebuffer(
            version: 2, bpp: 32, width: 5, height: 3, red: (0, 8), green: (8, 8), blue: (16, 8), alpha: (24, 8),
            extraSize: 12)
        #expect(try FramebufferFrame(decoding: data).image == expected)
    }

    @Test func rejectsBadInput() throws {
        let (good, _) = framebuffer(
            version: 1, bpp: 32, width: 5, height: 3, red: (0, 8), green: (8, 8), blue: (16, 8), alpha: (24, 8))
        #expect(throws: ImagingError.truncated(.framebuffer, length: 3)) { try FramebufferFrame(decoding: good[0..<3]) }
        #expect(throws: ImagingError.truncated(.framebuffer, length: 40)) { try FramebufferFrame(decoding: good[0..<40]) }
        #expect(throws: ImagingError.self) { try FramebufferFrame(decoding: good.dropLast()) }
        do {
            _ = try FramebufferFrame(decoding: littleEndian([3]) + [UInt8](repeating: 0, count: 60))
            Issue.record("version 3 decoded")
        } catch {
            #expect(error.description.contains("header version 3"))
        }
        // bpp 8, a channel beyond the pixel, a size smaller than the picture
        for (index, value) in [(1, UInt32(8)), (5, 30), (2, 10)] {
            var words = (0..<13).map { i in UInt32(good[i * 4]) | UInt32(good[i * 4 + 1]) << 8 }
            words[index] = value
            let data = littleEndian(words) + good[52...]
            #expect(throws: ImagingError.self) { try FramebufferFrame(decoding: data) }
        }
    }

    @Test func truncationAndFlipsNeverCrash() {
        var rng = SplitMix64(seed: 5)
        for c in Self.cases {
            let (data, _) = framebuffer(
                version: c.version, bpp: c.bpp, width: 4, height: 3, red: c.red, green: c.green, blue: c.blue,
                alpha: c.alpha)
            for length in 0..<data.count {
                #expect(throws: ImagingError.self) { try FramebufferFrame(decoding: data[0..<length]) }
            }
            for _ in 0..<200 {
                var copy = data
                let index = Int.random(in: 0..<min(copy.count, 60), using: &rng)
                copy[index] = UInt8.random(in: 0...255, using: &rng)
                _ = try? FramebufferFrame(decoding: copy)
            }
        }
    }
}
