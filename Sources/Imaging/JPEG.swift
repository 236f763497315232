internal import CImagingSupport

extension Image {
    /// Decodes a JPEG (baseline or progressive; YCbCr, RGB, grayscale, or
    /// CMYK/YCCK taken as Adobe-inverted) to RGBA8 with alpha 255, using
    /// libjpeg's accurate integer IDCT and smooth chroma upsampling.
    /// Data that ends before the EOI marker is an error.
    public init(jpegData data: some Collection<UInt8>) throws(ImagingError) {
        self = try withContiguousBytes(of: data) { raw throws(ImagingError) in
            try Codec.decode(
                raw, as: .jpeg,
                begin: { tis_jpeg_begin($0, $1, $2, $3, $4, $5, $6) },
                finish: { tis_jpeg_finish($0, $1, $2, $3) },
                destroy: { tis_jpeg_destroy($0) })
        }
    }

    /// Encodes as a baseline YCbCr JPEG; alpha is dropped. `quality` is
    /// 1...100 (libjpeg's scale); chroma is subsampled 4:2:0 unless
    /// `fullChroma` keeps it 4:4:4 (sharper coloured text, larger files).
    public func jpegData(quality: Int = 90, fullChroma: Bool = false) throws(ImagingError) -> [UInt8] {
        guard (1...100).contains(quality) else {
            throw .invalidArgument("JPEG quality \(quality) is not in 1...100")
        }
        var output = tis_buffer()
        var message = tis_message()
        let status = bytes.withUnsafeBufferPointer { pixels in
            tis_jpeg_encode(
                pixels.baseAddress, UInt32(width), UInt32(height), stride, Int32(quality), fullChroma ? 1 : 0,
                &output, &message)
        }
        guard status == TIS_OK else {
            tis_buffer_free(&output)
            throw .encodingFailed(.jpeg, detail: Codec.text(of: message))
        }
        return Codec.take(&output)
    }
}
