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
    /// Whole packets decoded so far: the first one tells an ADB peer from some other server.
    private(set) var decodedCount = 0

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
            do {
                try next.validate(maxPayload: maxPayload)
            } catch {
                if decodedCount == 0, next.magic != next.command ^ 0xffff_ffff || !ADBMessage.Command(rawValue: next.command).isKnown {
                    throw .malformedPacket(Self.notADB + (Self.foreignProtocol(header) ?? "its first bytes are not an ADB header: \(error.message)"))
                }
                throw error
            }
            guard next.dataLength > 0 else {
                decodedCount += 1
                return (n, Self.message(next, []))
            }
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
        decodedCount += 1
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
            if let foreign = foreignPeer { throw foreign }
            throw .malformedPacket("connection ended inside a packet header (\(headerFill) of \(ADBProtocol.headerSize) bytes)")
        }
        throw .malformedPacket("connection ended inside a packet payload (\(payloadFill) of \(payload.count) bytes)")
    }

    /// The error for a peer whose first bytes, so far, are some other protocol; nil otherwise.
    var foreignPeer: ADBError? {
        guard decodedCount == 0, parsed == nil, headerFill > 0, let foreign = Self.foreignProtocol(header[..<headerFill]) else { return nil }
        return .malformedPacket(Self.notADB + foreign)
    }

    /// How a `malformedPacket` message starts when the very first bytes were not ADB at all.
    static let notADB = "not ADB: "

    /// What other protocol the first bytes from a peer look like, if any: a user pointed Tether
    /// at the wrong port, and the message should say so.
    static func foreignProtocol(_ bytes: some Collection<UInt8>) -> String? {
        let text = String(decoding: bytes.prefix(8), as: UTF8.self)
        if text.hasPrefix("HTTP/") || ["GET ", "POST ", "HEAD ", "PUT ", "OPTIONS ", "DELETE "].contains(where: text.hasPrefix) {
            return "it answered HTTP"
        }
        if text.hasPrefix("SSH-") { return "it answered SSH" }
        if bytes.count >= 2, bytes.first == 0x15 || bytes.first == 0x16, bytes.dropFirst().first == 0x03 { return "it answered TLS" }
        if !bytes.isEmpty, bytes.allSatisfy({ ($0 >= 0x20 && $0 < 0x7f) || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) {
            let line = bytes.prefix(while: { $0 != 0x0a && $0 != 0x0d })
            let more = line.count == bytes.count && bytes.count == ADBProtocol.headerSize ? "…" : ""
            return "it answered text: \"\(String(decoding: line, as: UTF8.self))\(more)\""
        }
        return nil
    }

    /// The checksum is not verified: adb itself stopped checking it in Android 9, and a peer at
    /// version 0x01000001 writes 0.
    private static func message(_ header: ADBHeader, _ payload: [UInt8]) -> ADBMessage {
        ADBMessage(ADBMessage.Command(rawValue: header.command), header.arg0, header.arg1, payload: payload)
    }
}
