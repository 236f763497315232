/// The file-sync sub-protocol (`sync:`): `{id, u32 length}` requests and replies, all little-endian.
public enum SyncProtocol {
    public static let maxPathLength = 1024
    /// Bytes of file data per DATA record.
    public static let maxDataChunk = 64 * 1024
    /// adb 29 sends DATA chunks of 64 KiB minus the 8-byte request header.
    public static let pushChunk = maxDataChunk - 8

    public static func id(_ text: StaticString) -> UInt32 {
        text.withUTF8Buffer { b in UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24 }
    }

    public static let stat = id("STAT"), sta2 = id("STA2"), lst2 = id("LST2")
    public static let list = id("LIST"), lis2 = id("LIS2"), dent = id("DENT"), dnt2 = id("DNT2")
    public static let send = id("SEND"), recv = id("RECV"), data = id("DATA"), done = id("DONE")
    public static let okay = id("OKAY"), fail = id("FAIL"), quit = id("QUIT")

    public static func name(_ id: UInt32) -> String {
        let bytes = [UInt8(id & 0xff), UInt8(id >> 8 & 0xff), UInt8(id >> 16 & 0xff), UInt8(id >> 24)]
        return bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) ? String(decoding: bytes, as: UTF8.self) : "0x" + String(id, radix: 16)
    }

    static func request(_ id: UInt32, _ body: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.appendLittleEndian(id)
        out.appendLittleEndian(UInt32(body.count))
        out += body
        return out
    }

    static func request(_ id: UInt32, value: UInt32) -> [UInt8] {
        var out = [UInt8]()
        out.appendLittleEndian(id)
        out.appendLittleEndian(value)
        return out
    }
}

/// A file's metadata as sync reports it. v1 `STAT` gives only mode, size and mtime.
public struct SyncStat: Sendable, Equatable {
    public var mode: UInt32
    public var size: UInt64
    public var mtime: Int64
    /// Linux errno from STA2/LST2 (0 for success); v1 reports a missing file as all zeros.
    public var error: UInt32 = 0
    public var device: UInt64 = 0
    public var inode: UInt64 = 0
    public var linkCount: UInt32 = 0
    public var uid: UInt32 = 0
    public var gid: UInt32 = 0
    public var atime: Int64 = 0
    public var ctime: Int64 = 0

    public init(mode: UInt32, size: UInt64, mtime: Int64) {
        self.mode = mode
        self.size = size
        self.mtime = mtime
    }

    public var exists: Bool { error == 0 && !(mode == 0 && size == 0 && mtime == 0) }
    public var isDirectory: Bool { mode & 0o170000 == 0o040000 }
    public var isRegularFile: Bool { mode & 0o170000 == 0o100000 }

    /// The 68 bytes after the id in a STA2/LST2 reply or DNT2 entry.
    var v2Bytes: [UInt8] {
        var out = [UInt8]()
        out.appendLittleEndian(error)
        out.appendLittleEndian(device)
        out.appendLittleEndian(inode)
        out.appendLittleEndian(mode)
        out.appendLittleEndian(linkCount)
        out.appendLittleEndian(uid)
        out.appendLittleEndian(gid)
        out.appendLittleEndian(size)
        out.appendLittleEndian(UInt64(bitPattern: atime))
        out.appendLittleEndian(UInt64(bitPattern: mtime))
        out.appendLittleEndian(UInt64(bitPattern: ctime))
        return out
    }

    init(v2 b: [UInt8]) {
        self.init(mode: b.littleEndianUInt32(at: 20), size: b.littleEndianUInt64(at: 36), mtime: Int64(bitPattern: b.littleEndianUInt64(at: 52)))
        error = b.littleEndianUInt32(at: 0)
        device = b.littleEndianUInt64(at: 4)
        inode = b.littleEndianUInt64(at: 12)
        linkCount = b.littleEndianUInt32(at: 24)
        uid = b.littleEndianUInt32(at: 28)
        gid = b.littleEndianUInt32(at: 32)
        atime = Int64(bitPattern: b.littleEndianUInt64(at: 44))
        ctime = Int64(bitPattern: b.littleEndianUInt64(at: 60))
    }

    static let v2Size = 68
}

/// One directory entry from LIST/LIS2.
public struct SyncEntry: Sendable, Equatable {
    public var name: String
    public var stat: SyncStat
}
