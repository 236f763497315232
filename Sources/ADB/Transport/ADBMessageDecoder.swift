import NIOCore

/// Splits a byte stream into ADB packets. The header is validated before the payload is awaited,
/// so a hostile length is refused instead of allocated.
struct ADBMessageDecoder: ByteToMessageDecoder {
    typealias InboundOut = ADBMessage

    /// The largest payload we accept: what we announce in our CNXN.
    var maxPayload: Int = ADBProtocol.maxPayload

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let message = try Self.decode(from: &buffer, maxPayload: maxPayload) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(message))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if buffer.readableBytes > 0 {
            throw ADBError.malformedPacket("connection ended inside a packet (\(buffer.readableBytes) bytes left over)")
        }
        return .needMoreData
    }

    /// One packet from the front of `buffer`, or nil if it does not hold a whole one yet.
    static func decode(from buffer: inout ByteBuffer, maxPayload: Int) throws(ADBError) -> ADBMessage? {
        guard let headerBytes = buffer.getBytes(at: buffer.readerIndex, length: ADBProtocol.headerSize) else { return nil }
        let header = ADBHeader(bytes: headerBytes)
        try header.validate(maxPayload: maxPayload)
        let total = ADBProtocol.headerSize + Int(header.dataLength)
        guard buffer.readableBytes >= total else { return nil }
        buffer.moveReaderIndex(forwardBy: ADBProtocol.headerSize)
        let payload = buffer.readBytes(length: Int(header.dataLength)) ?? []
        // The checksum is not verified: adb itself stopped checking it in Android 9, and a peer
        // at version 0x01000001 writes 0.
        return ADBMessage(ADBMessage.Command(rawValue: header.command), header.arg0, header.arg1, payload: payload)
    }
}
