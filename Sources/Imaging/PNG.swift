internal import CImagingSupport

extension Image {
    /// zlib level 1 with the Sub and Up filters: a 1080x2400 screenshot
    /// encodes in a few tens of milliseconds.
    public static let fastPNGCompression = 1

    /// Decodes a PNG of any colour type, bit depth and interlacing to RGBA8:
    /// palettes are expanded, tRNS becomes alpha, 16-bit samples keep their
    /// high byte, grey is copied to R, G and B, and missing alpha is 255.
    /// Ancillary chunks (gamma, colour profiles) are ignored.
    public init(pngData data: some Collection<UInt8>) throws(ImagingError) {
        self = try withContiguousBytes(of: data) { raw throws(ImagingError) in
            try Codec.decode(
                raw, as: .png,
                begin: { tis_png_begin($0, $1, $2, $3, $4, $5, $6) },
                finish: { tis_png_finish($0, $1, $2, $3) },
                destroy: { tis_png_destroy($0) })
        }
    }

    /// Encodes as an 8-bit PNG: RGB when every pixel is opaque, RGBA otherwise.
    /// `compressionLevel` is zlib's 0 (none) ... 9 (smallest, slowest).
    public func pngData(compressionLevel: Int = Image.fastPNGCompression) throws(ImagingError) -> [UInt8] {
        guard (0...9).contains(compressionLevel) else {
            throw .invalidArgument("PNG compression level \(compressionLevel) is not in 0...9")
        }
        let dropAlpha: Int32 = isOpaque ? 1 : 0
        var output = tis_buffer()
        var message = tis_message()
        let status = bytes.withUnsafeBufferPointer { pixels in
            tis_png_encode(
                pixels.baseAddress, UInt32(width), UInt32(height), stride, dropAlpha, Int32(compressionLevel),
                &output, &message)
        }
        guard status == TIS_OK else {
            tis_buffer_free(&output)
            throw .encodingFailed(.png, detail: Codec.text(of: message))
        }
        return Codec.take(&output)
    }
}
