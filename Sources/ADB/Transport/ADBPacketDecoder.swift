/// Splits a byte stream into ADB packets: the one decoder both transports read with (TCP reads
/// straight into it, USB feeds it whole transfers).
///
/// The header is checked as soon as its 24 bytes are in, before any payload is awaited, so a
/// hostile length is refused instead of allocated. Nothing here reads a socket: the transport
/// says where bytes come from, which is what lets the property tests cut the stream anywhere.
struct ADBPacketDecoder {
    /// The largest payload accepted: what we announce in our CNXN.
    let maxPayload: Int

    private var header = [UInt8](repeating: 0, count: ADBProtocol.headerSize)
    private var headerFill = 0
    private var parsed: ADBHeader?
    private var payload: [UInt8] = []
    private var payloadFill = 0

    init(maxPayload: Int = ADBProtocol.maxPayload) {
        self.maxPayload = maxPayload
    }

    /// Bytes the packet in progress still lacks (always at least 1).
    var wanted: Int { parsed == nil ? ADBProtocol.headerSize - headerFill : payload.count - payloadFill }

    /// True between packets, where a peer may end the connection cleanly.
    var isBetweenPackets: Bool { parsed == nil && headerFill == 0 }

    /// Lets `read` write up to `wanted` bytes straight into the packet in progress. `read` returns
    /// how many bytes it wrote; zero or less means none (the caller knows why). Returns that count
    /// and the packet, once its last byte is in.
    mutating func read(_ read: (UnsafeMutableRawBufferPointer) -> Int) throws(ADBError) -> (count: Int, message: ADBMessage?) {
        guard let current = parsed else {
            let fill = headerFill
            let n = header.withUnsafeMutableBytes { read(UnsafeMutableRawBufferPointer(rebasing: $0[fill...])) }
            guard n > 0 else { return (n, nil) }
            headerFill += min(n, ADBProtocol.headerSize - fill)
            guard headerFill == ADBProtocol.headerSize else { return (n, nil) }
            headerFill = 0
            let next = try ADBHeader(bytes: header)
            try next.validate(maxPayload: maxPayload)
            guard next.dataLength > 0 else { return (n, Self.message(next, [])) }
            parsed = next
            payload = [UInt8](repeating: 0, count: Int(next.dataLength))
            payloadFill = 0
            return (n, nil)
        }
        let fill = payloadFill
        let n = payload.withUnsafeMutableBytes { read(UnsafeMutableRawBufferPointer(rebasing: $0[fill...])) }
        guard n > 0 else { return (n, nil) }
        payloadFill += min(n, payload.count - fill)
        guard payloadFill == payload.count else { return (n, nil) }
        let message = Self.message(current, payload)
        parsed = nil
        payload = []
        return (n, message)
    }

    /// Feeds `bytes` and returns the packets they complete; bytes past the last whole packet wait
    /// for the next call.
    mutating func feed(_ bytes: [UInt8]) throws(ADBError) -> [ADBMessage] {
        var messages: [ADBMessage] = []
        var offset = 0
        while offset < bytes.count {
            let (n, message) = try read { room in
                let count = min(room.count, bytes.count - offset)
                bytes.withUnsafeBytes { source in
                    room.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<(offset + count)]))
                }
                return count
            }
            offset += max(n, 0)
            if let message { messages.append(message) }
        }
        return messages
    }

    /// Says what was cut off when the input ends here; nothing between packets.
    func end() throws(ADBError) {
        if isBetweenPackets { return }
        if parsed == nil {
            throw .malformedPacket("connection ended inside a packet header (\(headerFill) of \(ADBProtocol.headerSize) bytes)")
        }
        throw .malformedPacket("connection ended inside a packet payload (\(payloadFill) of \(payload.count) bytes)")
    }

    /// The checksum is not verified: adb itself stopped checking it in Android 9, and a peer at
    /// version 0x01000001 writes 0.
    private static func message(_ header: ADBHeader, _ payload: [UInt8]) -> ADBMessage {
        ADBMessage(ADBMessage.Command(rawValue: header.command), header.arg0, header.arg1, payload: payload)
    }
}
