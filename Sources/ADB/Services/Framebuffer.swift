/// The `framebuffer:` service: one raw screenshot with a header (v2: 56 bytes with colour space;
/// v1: 52 bytes; v16: size, width, height with RGB565 implied). Decoding the pixels is the
/// Imaging layer's job; this only fetches header and bytes.
public struct FramebufferCapture: Sendable {
    public var version: UInt32
    public var bitsPerPixel: UInt32
    public var colorSpace: UInt32
    public var width: UInt32
    public var height: UInt32
    /// (offset, length) of red, green, blue, alpha in each pixel, in bits.
    public var red: (offset: UInt32, length: UInt32)
    public var green: (offset: UInt32, length: UInt32)
    public var blue: (offset: UInt32, length: UInt32)
    public var alpha: (offset: UInt32, length: UInt32)
    public var pixels: [UInt8]
    /// The header exactly as received, for decoders that want it.
    public var header: [UInt8]

    static let maxPixelBytes = 256 * 1024 * 1024
}

extension ADBTarget {
    public func framebuffer(timeout: Duration? = .seconds(30)) async throws -> FramebufferCapture {
        try await withTimeout(timeout, "framebuffer capture") {
            try await self.withStream("framebuffer:") { stream in
                let reader = StreamReader(stream)
                let version = try await reader.readUInt32("the framebuffer header")
                let words: Int
                switch version {
                case 16: words = 3
                case 1: words = 12
                case 2: words = 13
                default: throw ADBError.protocolViolation("unknown framebuffer header version \(version)")
                }
                let rest = try await reader.readExactly(words * 4, "the framebuffer header")
                let w = (0..<words).map { rest.littleEndianUInt32(at: $0 * 4) }
                var capture: FramebufferCapture
                var header: [UInt8] = []
                header.appendLittleEndian(version)
                header += rest
                if version == 16 {
                    capture = FramebufferCapture(
                        version: 16, bitsPerPixel: 16, colorSpace: 0, width: w[1], height: w[2],
                        red: (11, 5), green: (5, 6), blue: (0, 5), alpha: (0, 0), pixels: [], header: header)
                } else {
                    let v2 = version == 2 ? 1 : 0
                    // Order on the wire: red, blue, green, alpha.
                    capture = FramebufferCapture(
                        version: version, bitsPerPixel: w[0], colorSpace: v2 == 1 ? w[1] : 0,
                        width: w[2 + v2], height: w[3 + v2],
                        red: (w[4 + v2], w[5 + v2]), green: (w[8 + v2], w[9 + v2]), blue: (w[6 + v2], w[7 + v2]),
                        alpha: (w[10 + v2], w[11 + v2]), pixels: [], header: header)
                }
                let size = Int(capture.width) * Int(capture.height) * Int(capture.bitsPerPixel) / 8
                guard size > 0, size <= FramebufferCapture.maxPixelBytes else {
                    throw ADBError.protocolViolation("framebuffer of \(capture.width)x\(capture.height) at \(capture.bitsPerPixel) bpp")
                }
                capture.pixels = try await reader.readExactly(size, "the framebuffer pixels")
                return capture
            }
        }
    }
}
