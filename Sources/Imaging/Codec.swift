internal import CImagingSupport

/// Glue between the C layer's status codes and `ImagingError`.
enum Codec {
    static func text(of message: tis_message) -> String {
        withUnsafeBytes(of: message.text) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    static func error(
        _ status: tis_status, _ format: ImageFormat, length: Int, width: UInt32 = 0, height: UInt32 = 0,
        message: tis_message
    ) -> ImagingError {
        let detail = text(of: message)
        switch status {
        case TIS_TRUNCATED: return .truncated(format, length: length)
        case TIS_NOT_THIS_FORMAT: return .notThisFormat(format, detail: detail)
        case TIS_TOO_LARGE: return .tooLarge(width: Int(width), height: Int(height))
        case TIS_UNSUPPORTED: return .unsupported(format, detail: detail)
        case TIS_NO_MEMORY: return .malformed(format, detail: "out of memory while decoding")
        default: return .malformed(format, detail: detail.isEmpty ? "the decoder failed" : detail)
        }
    }

    typealias Begin = (
        UnsafePointer<UInt8>?, Int, UInt64, UnsafeMutablePointer<OpaquePointer?>,
        UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<tis_message>
    ) -> tis_status
    typealias Finish = (OpaquePointer?, UnsafeMutablePointer<UInt8>?, Int, UnsafeMutablePointer<tis_message>) -> tis_status

    /// The two-phase decode shared by PNG and JPEG: read the header, allocate
    /// the pixels here, let C fill them.
    static func decode(
        _ raw: UnsafeRawBufferPointer, as format: ImageFormat,
        begin: Begin, finish: Finish, destroy: (OpaquePointer?) -> Void
    ) throws(ImagingError) -> Image {
        var message = tis_message()
        var decoder: OpaquePointer?
        var width: UInt32 = 0
        var height: UInt32 = 0
        let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self)
        let status = begin(base, raw.count, UInt64(Image.maxPixelCount), &decoder, &width, &height, &message)
        guard status == TIS_OK, decoder != nil else {
            throw error(status, format, length: raw.count, width: width, height: height, message: message)
        }
        defer { destroy(decoder) }
        try Image.validate(width: Int(width), height: Int(height))
        var finished = TIS_OK
        let image = Image(uncheckedWidth: Int(width), height: Int(height)) { pixels in
            finished = finish(decoder, pixels.baseAddress?.assumingMemoryBound(to: UInt8.self), Int(width) * 4, &message)
        }
        guard finished == TIS_OK else {
            throw error(finished, format, length: raw.count, message: message)
        }
        return image
    }

    /// Takes ownership of a buffer filled by the C layer.
    static func take(_ buffer: inout tis_buffer) -> [UInt8] {
        defer { tis_buffer_free(&buffer) }
        guard let bytes = buffer.bytes, buffer.count > 0 else { return [] }
        return [UInt8](UnsafeBufferPointer(start: bytes, count: buffer.count))
    }
}

extension Image {
    /// Decodes PNG or JPEG, whichever the signature says.
    public init(encodedData data: some Collection<UInt8>) throws(ImagingError) {
        let head = Array(data.prefix(8))
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            try self.init(pngData: data)
        } else if head.starts(with: [0xFF, 0xD8]) {
            try self.init(jpegData: data)
        } else {
            throw .unrecognizedFormat(firstBytes: head)
        }
    }
}
