/// An 8-bit RGBA colour, not premultiplied.
public struct Color: Sendable, Hashable, CustomStringConvertible {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8
    public var a: UInt8

    public init(r: UInt8, g: UInt8, b: UInt8, a: UInt8 = 255) {
        self.r = r
        self.g = g
        self.b = b
        self.a = a
    }

    public static let black = Color(r: 0, g: 0, b: 0)
    public static let white = Color(r: 255, g: 255, b: 255)
    public static let red = Color(r: 255, g: 0, b: 0)
    public static let green = Color(r: 0, g: 200, b: 0)
    public static let blue = Color(r: 0, g: 90, b: 255)
    public static let yellow = Color(r: 255, g: 210, b: 0)
    public static let transparent = Color(r: 0, g: 0, b: 0, a: 0)

    public var description: String { "rgba(\(r), \(g), \(b), \(a))" }
}

/// A picture as 8-bit RGBA pixels, row by row from the top, `stride` bytes per
/// row (at least `width * 4`; any bytes past `width * 4` in a row are padding).
///
/// A value type: copies share storage until one of them is changed.
public struct Image: Sendable {
    /// The most pixels an image may have (100 million, 400 MB of RGBA).
    /// Decoders reject larger headers before allocating anything.
    public static let maxPixelCount = 100_000_000

    public let width: Int
    public let height: Int
    /// Bytes from the start of one row to the start of the next.
    public let stride: Int
    /// `height * stride` bytes: R, G, B, A for each pixel.
    public private(set) var bytes: [UInt8]

    /// Checks a size and returns the pixel count.
    @discardableResult
    static func validate(width: Int, height: Int) throws(ImagingError) -> Int {
        guard width >= 1, height >= 1 else { throw .invalidSize(width: width, height: height) }
        let (count, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, count <= maxPixelCount else { throw .tooLarge(width: width, height: height) }
        return count
    }

    /// A new image filled with one colour (transparent black unless told).
    public init(width: Int, height: Int, fill: Color = .transparent) throws(ImagingError) {
        try Image.validate(width: width, height: height)
        self.width = width
        self.height = height
        self.stride = width * 4
        if fill == .transparent {
            self.bytes = [UInt8](repeating: 0, count: width * height * 4)
        } else {
            let word = UInt32(fill.r) | UInt32(fill.g) << 8 | UInt32(fill.b) << 16 | UInt32(fill.a) << 24
            let words = [UInt32](repeating: UInt32(littleEndian: word), count: width * height)
            self.bytes = words.withUnsafeBytes { [UInt8]($0) }
        }
    }

    /// Wraps existing RGBA bytes. `stride` defaults to `width * 4`; `bytes`
    /// must hold at least `stride * (height - 1) + width * 4` bytes (a last
    /// row without padding is accepted and padded).
    public init(width: Int, height: Int, stride: Int? = nil, bytes: [UInt8]) throws(ImagingError) {
        try Image.validate(width: width, height: height)
        let stride = stride ?? width * 4
        guard stride >= width * 4 else {
            throw .badPixelBuffer(detail: "stride \(stride) is less than width \(width) times 4")
        }
        let (full, overflow) = stride.multipliedReportingOverflow(by: height)
        guard !overflow else {
            throw .badPixelBuffer(detail: "stride \(stride) times height \(height) overflows")
        }
        let minimum = full - stride + width * 4
        guard bytes.count >= minimum else {
            throw .badPixelBuffer(
                detail: "\(minimum) bytes needed for \(width)x\(height) with stride \(stride), got \(bytes.count)")
        }
        var bytes = bytes
        if bytes.count < full {
            bytes.append(contentsOf: repeatElement(0, count: full - bytes.count))
        } else if bytes.count > full {
            bytes.removeLast(bytes.count - full)
        }
        self.width = width
        self.height = height
        self.stride = stride
        self.bytes = bytes
    }

    /// Internal: builds an image of packed rows by letting `body` write all
    /// `width * height * 4` bytes. The size must already be validated.
    init(
        uncheckedWidth width: Int, height: Int,
        initializingWith body: (UnsafeMutableRawBufferPointer) throws -> Void
    ) rethrows {
        self.width = width
        self.height = height
        self.stride = width * 4
        let count = width * height * 4
        self.bytes = try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            try body(UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }

    /// The colour at (x, y), or nil when the point is outside the image.
    public func pixel(x: Int, y: Int) -> Color? {
        guard x >= 0, y >= 0, x < width, y < height else { return nil }
        let i = y * stride + x * 4
        return Color(r: bytes[i], g: bytes[i + 1], b: bytes[i + 2], a: bytes[i + 3])
    }

    /// Sets the colour at (x, y); returns false (and changes nothing) when the
    /// point is outside the image.
    @discardableResult
    public mutating func setPixel(x: Int, y: Int, to color: Color) -> Bool {
        guard x >= 0, y >= 0, x < width, y < height else { return false }
        let i = y * stride + x * 4
        bytes[i] = color.r
        bytes[i + 1] = color.g
        bytes[i + 2] = color.b
        bytes[i + 3] = color.a
        return true
    }

    /// True when every pixel has alpha 255.
    public var isOpaque: Bool {
        bytes.withUnsafeBufferPointer { buffer in
            for y in 0..<height {
                var i = y * stride + 3
                for _ in 0..<width {
                    if buffer[i] != 255 { return false }
                    i += 4
                }
            }
            return true
        }
    }

    /// The pixels with rows packed (`width * 4` bytes each, no padding).
    public var packedBytes: [UInt8] {
        let rowBytes = width * 4
        if stride == rowBytes { return bytes }
        var packed = [UInt8]()
        packed.reserveCapacity(rowBytes * height)
        for y in 0..<height {
            packed.append(contentsOf: bytes[(y * stride)..<(y * stride + rowBytes)])
        }
        return packed
    }

    /// Calls `body` with the pixel bytes (`height * stride` of them).
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes(body)
    }

    /// Calls `body` with the pixel bytes to change them in place.
    public mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeMutableBytes(body)
    }
}

extension Image: Equatable {
    /// Equal when the sizes and every visible pixel are equal; padding is ignored.
    public static func == (lhs: Image, rhs: Image) -> Bool {
        guard lhs.width == rhs.width, lhs.height == rhs.height else { return false }
        if lhs.stride == rhs.stride { return lhs.bytes == rhs.bytes || lhs.packedBytes == rhs.packedBytes }
        return lhs.packedBytes == rhs.packedBytes
    }
}

extension Image: CustomStringConvertible {
    public var description: String { "Image(\(width)x\(height))" }
}
