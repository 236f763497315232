/// One ADB packet: a 24-byte header (six little-endian u32) and its payload.
///
/// `local-id` and `remote-id` in `arg0`/`arg1` are always relative to the sender.
public struct ADBMessage: Sendable, Equatable {
    public var command: Command
    public var arg0: UInt32
    public var arg1: UInt32
    public var payload: [UInt8]

    public init(_ command: Command, _ arg0: UInt32, _ arg1: UInt32, payload: [UInt8] = []) {
        self.command = command
        self.arg0 = arg0
        self.arg1 = arg1
        self.payload = payload
    }

    /// The command word, an ASCII tag read as a little-endian u32.
    public struct Command: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        public static let cnxn = Command(rawValue: 0x4e58_4e43)
        public static let auth = Command(rawValue: 0x4854_5541)
        public static let open = Command(rawValue: 0x4e45_504f)
        public static let okay = Command(rawValue: 0x5941_4b4f)
        public static let clse = Command(rawValue: 0x4553_4c43)
        public static let wrte = Command(rawValue: 0x4554_5257)
        public static let stls = Command(rawValue: 0x534c_5453)
        /// Obsolete; never valid on the wire, known only so it can be named in errors.
        public static let sync = Command(rawValue: 0x434e_5953)

        public static let known: Set<Command> = [.cnxn, .auth, .open, .okay, .clse, .wrte, .stls, .sync]

        public var isKnown: Bool { Self.known.contains(self) }

        public var description: String {
            let bytes = withUnsafeBytes(of: rawValue.littleEndian) { Array($0) }
            if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) {
                return String(decoding: bytes, as: UTF8.self)
            }
            return "0x" + String(rawValue, radix: 16)
        }
    }

    /// AUTH packet types (arg0).
    public enum AuthType: UInt32, Sendable {
        case token = 1
        case signature = 2
        case rsaPublicKey = 3
    }
}

/// Protocol constants, with the history that makes them what they are.
public enum ADBProtocol {
    /// The original version; peers at this version verify payload checksums.
    public static let versionMin: UInt32 = 0x0100_0000
    /// From Android 9: the sender may write 0 as the checksum.
    public static let versionSkipChecksum: UInt32 = 0x0100_0001
    public static let version: UInt32 = versionSkipChecksum

    public static let maxPayloadV1 = 4096
    public static let maxPayloadV2 = 256 * 1024
    /// The largest payload we announce and accept (1 MiB, as adbd since Android 9).
    public static let maxPayload = 1024 * 1024

    public static let headerSize = 24
    public static let tokenSize = 20

    /// The 32-bit sum of the payload bytes. It is not a CRC, whatever the old docs say.
    public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var sum: UInt32 = 0
        for byte in bytes { sum &+= UInt32(byte) }
        return sum
    }
}

/// The header fields as they appear on the wire.
public struct ADBHeader: Sendable, Equatable {
    public var command: UInt32
    public var arg0: UInt32
    public var arg1: UInt32
    public var dataLength: UInt32
    public var dataCheck: UInt32
    public var magic: UInt32

    public init(command: UInt32, arg0: UInt32, arg1: UInt32, dataLength: UInt32, dataCheck: UInt32, magic: UInt32) {
        self.command = command
        self.arg0 = arg0
        self.arg1 = arg1
        self.dataLength = dataLength
        self.dataCheck = dataCheck
        self.magic = magic
    }

    /// Parses exactly 24 bytes; any other count is refused. Validation is separate (`validate`),
    /// so callers can report what was wrong.
    public init<C: Collection>(bytes: C) throws(ADBError) where C.Element == UInt8 {
        guard bytes.count == ADBProtocol.headerSize else {
            throw .malformedPacket("an ADB header is \(ADBProtocol.headerSize) bytes, not \(bytes.count)")
        }
        var words = [UInt32](repeating: 0, count: 6)
        var index = bytes.startIndex
        for w in 0..<6 {
            var value: UInt32 = 0
            for shift in stride(from: 0, to: 32, by: 8) {
                value |= UInt32(bytes[index]) << UInt32(shift)
                index = bytes.index(after: index)
            }
            words[w] = value
        }
        self.init(command: words[0], arg0: words[1], arg1: words[2], dataLength: words[3], dataCheck: words[4], magic: words[5])
    }

    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(ADBProtocol.headerSize)
        for word in [command, arg0, arg1, dataLength, dataCheck, magic] {
            out.appendLittleEndian(word)
        }
        return out
    }

    /// Checks the magic, the command and the length before any payload is read, so that a
    /// hostile length never causes an allocation.
    public func validate(maxPayload: Int) throws(ADBError) {
        guard magic == command ^ 0xffff_ffff else {
            throw .malformedPacket("bad magic 0x\(String(magic, radix: 16)) for command 0x\(String(command, radix: 16))")
        }
        guard ADBMessage.Command(rawValue: command).isKnown else {
            throw .malformedPacket("unknown command \(ADBMessage.Command(rawValue: command))")
        }
        guard Int(dataLength) <= maxPayload else {
            throw .malformedPacket("payload of \(dataLength) bytes exceeds the negotiated maximum of \(maxPayload)")
        }
    }
}

extension ADBMessage {
    /// The header for this message. `withChecksum` follows the negotiated version: the sum is
    /// always written while the peer may be at `versionMin`.
    public func header(withChecksum: Bool) -> ADBHeader {
        ADBHeader(
            command: command.rawValue, arg0: arg0, arg1: arg1,
            dataLength: UInt32(payload.count),
            dataCheck: withChecksum ? ADBProtocol.checksum(payload) : 0,
            magic: command.rawValue ^ 0xffff_ffff)
    }

    /// Header and payload as one byte array (for stream transports such as TCP).
    public func encoded(withChecksum: Bool = true) -> [UInt8] {
        var out = header(withChecksum: withChecksum).bytes
        out.append(contentsOf: payload)
        return out
    }

    /// The payload as text without trailing NULs (banners, service names).
    public var payloadString: String {
        var end = payload.endIndex
        while end > payload.startIndex, payload[end - 1] == 0 { end -= 1 }
        return String(decoding: payload[..<end], as: UTF8.self)
    }
}

extension ADBMessage: CustomStringConvertible {
    public var description: String {
        "\(command)(0x\(String(arg0, radix: 16)), 0x\(String(arg1, radix: 16)), \(payload.count) bytes)"
    }
}

extension Array where Element == UInt8 {
    @inlinable
    mutating func appendLittleEndian(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 24))
    }

    @inlinable
    mutating func appendLittleEndian(_ value: UInt64) {
        appendLittleEndian(UInt32(truncatingIfNeeded: value))
        appendLittleEndian(UInt32(truncatingIfNeeded: value >> 32))
    }
}
