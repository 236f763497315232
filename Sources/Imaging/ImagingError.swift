/// The formats the Imaging module reads or writes, as named in error messages.
public enum ImageFormat: String, Sendable, Hashable, CustomStringConvertible {
    case png = "PNG"
    case jpeg = "JPEG"
    /// The output of Android's `screencap` without `-p`.
    case rawScreencap = "raw screencap"
    /// The output of the adb `framebuffer:` service.
    case framebuffer = "framebuffer"

    public var description: String { rawValue }
}

/// Everything that can go wrong in the Imaging module. `description` is a
/// sentence meant for people: what went wrong and, where it helps, what to do.
public enum ImagingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The data ended before the image did; `length` is how many bytes there were.
    case truncated(ImageFormat, length: Int)
    /// The data is not of the format it was decoded as.
    case notThisFormat(ImageFormat, detail: String)
    /// The data is of the format but broken; `detail` says how (often the C library's words).
    case malformed(ImageFormat, detail: String)
    /// The data is valid but uses a feature this module does not decode.
    case unsupported(ImageFormat, detail: String)
    /// Width or height is below 1, or their product overflows.
    case invalidSize(width: Int, height: Int)
    /// Width times height is above `Image.maxPixelCount`.
    case tooLarge(width: Int, height: Int)
    /// A pixel buffer does not fit the width, height and stride given with it.
    case badPixelBuffer(detail: String)
    /// Encoding failed (out of memory, or the library refused).
    case encodingFailed(ImageFormat, detail: String)
    /// An argument is outside what the operation accepts.
    case invalidArgument(String)
    /// `Image(encodedData:)` found neither the PNG nor the JPEG signature.
    case unrecognizedFormat(firstBytes: [UInt8])

    public var description: String {
        switch self {
        case let .truncated(format, length):
            return "\(format) data truncated after \(length) bytes; the transfer was probably cut short"
        case let .notThisFormat(format, detail):
            return "\(format): \(detail)"
        case let .malformed(format, detail):
            return "\(format): \(detail)"
        case let .unsupported(format, detail):
            return "\(format): unsupported: \(detail)"
        case let .invalidSize(width, height):
            return "image size \(width)x\(height) is invalid: width and height must be at least 1"
        case let .tooLarge(width, height):
            return "image size \(width)x\(height) is over the limit of \(Image.maxPixelCount) pixels"
        case let .badPixelBuffer(detail):
            return "pixel buffer: \(detail)"
        case let .encodingFailed(format, detail):
            return "\(format) encoding failed: \(detail)"
        case let .invalidArgument(detail):
            return detail
        case let .unrecognizedFormat(firstBytes):
            let hex = firstBytes.map { byte in
                let digits = String(byte, radix: 16)
                return digits.count == 1 ? "0" + digits : digits
            }
            return "the data is neither PNG nor JPEG (it starts with \(hex.isEmpty ? "nothing" : hex.joined(separator: " ")))"
        }
    }
}
