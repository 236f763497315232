internal import CZlib

/// One file in a ZIP archive, as its central-directory record describes it.
public struct ZipEntry: Sendable, Equatable {
    public var name: String
    /// 0 stored, 8 deflate.
    public var method: UInt16
    public var flags: UInt16
    public var crc32: UInt32
    public var compressedSize: Int
    public var uncompressedSize: Int
    public var localHeaderOffset: Int
}

/// The central directory of a ZIP archive (an APK), read through ranged reads so that only the
/// directory and the wanted entries cross the wire, never the whole file.
///
/// Layout (APPNOTE.TXT): local records `PK\3\4` + data …, then the central directory `PK\1\2` …,
/// then the end record `PK\5\6` (22 bytes plus a comment of up to 65535 bytes).
public struct ZipArchive: Sendable {
    /// Fetches `count` bytes at `offset` of the archive.
    public typealias RangeReader = @Sendable (_ offset: Int, _ count: Int) async throws -> [UInt8]

    public let size: Int
    public let entries: [ZipEntry]
    /// The last bytes of the file, read to find the directory; entries that lie in them (all of
    /// them, for an APK under 72 KB) cost no further read.
    let tail: [UInt8]
    let tailStart: Int

    public static let endRecordSize = 22
    public static let maxCommentSize = 65_535
    /// Entries larger than this when inflated are refused (a manifest or resource table never is).
    public static let maxEntrySize = 64 << 20

    public init(size: Int, entries: [ZipEntry]) {
        self.init(size: size, entries: entries, tail: [], tailStart: size)
    }

    init(size: Int, entries: [ZipEntry], tail: [UInt8], tailStart: Int) {
        self.size = size
        self.entries = entries
        self.tail = tail
        self.tailStart = tailStart
    }

    /// Reads the end record and the central directory: one read when the directory sits in the
    /// last 64 KB of the file (small and medium APKs), two otherwise.
    public static func open(size: Int, tailSize: Int = endRecordSize + maxCommentSize + 8 * 1024, read: RangeReader) async throws -> ZipArchive {
        guard size >= endRecordSize else { throw APKFormatError.badZip("\(size) bytes is too small for a ZIP archive") }
        // A shorter tail than the longest comment is only for tests: it may miss the end record.
        let tailCount = min(size, max(tailSize, endRecordSize))
        let tailStart = size - tailCount
        let tail = try await read(tailStart, tailCount)
        guard tail.count == tailCount else { throw APKFormatError.truncated("the end of the archive (got \(tail.count) of \(tailCount) bytes)") }
        let end = try endOfCentralDirectory(tail: tail, fileSize: size)
        let directory: [UInt8]
        if end.offset >= tailStart {
            directory = Array(tail[(end.offset - tailStart)..<(end.offset - tailStart + end.size)])
        } else {
            directory = try await read(end.offset, end.size)
        }
        return ZipArchive(size: size, entries: try centralDirectory(directory, count: end.count), tail: tail, tailStart: tailStart)
    }

    /// Bytes of the file, from the tail already read when it holds them.
    func read(_ offset: Int, _ count: Int, _ read: RangeReader) async throws -> [UInt8] {
        if offset >= tailStart, offset + count <= tailStart + tail.count {
            return Array(tail[(offset - tailStart)..<(offset - tailStart + count)])
        }
        return try await read(offset, count)
    }

    /// Parses an archive held whole in memory.
    public static func open(bytes: [UInt8]) throws(APKFormatError) -> ZipArchive {
        let end = try endOfCentralDirectory(tail: bytes, fileSize: bytes.count)
        let directory = Array(try ByteReader(bytes, "the central directory").slice(end.offset, end.size))
        return ZipArchive(size: bytes.count, entries: try centralDirectory(directory, count: end.count))
    }

    public func entry(_ name: String) -> ZipEntry? { entries.first { $0.name == name } }

    /// The uncompressed contents of an entry: one read of its local record and data.
    public func contents(of name: String, read: RangeReader) async throws -> [UInt8] {
        guard let entry = entry(name) else { throw APKFormatError.missingEntry(name) }
        try Self.checkReadable(entry)
        // The local header repeats the name and may carry its own extra field (alignment
        // padding from zipalign); guess generously, then read again only if the guess was short.
        let guess = 30 + entry.name.utf8.count + 256
        let wanted = min(guess + entry.compressedSize, size - entry.localHeaderOffset)
        var record = try await self.read(entry.localHeaderOffset, wanted, read)
        let dataStart = try Self.dataOffset(localRecord: record, entry: entry)
        if record.count < dataStart + entry.compressedSize {
            let need = dataStart + entry.compressedSize
            guard entry.localHeaderOffset + need <= size else { throw APKFormatError.truncated("the data of \(name)") }
            record = try await self.read(entry.localHeaderOffset, need, read)
        }
        let data = try ByteReader(record, "the data of \(name)").slice(dataStart, entry.compressedSize)
        return try Self.extract(entry, data)
    }

    /// The uncompressed contents of an entry of an archive held whole in memory.
    public func contents(of name: String, in bytes: [UInt8]) throws(APKFormatError) -> [UInt8] {
        guard let entry = entry(name) else { throw .missingEntry(name) }
        try Self.checkReadable(entry)
        guard entry.localHeaderOffset <= bytes.count else { throw .truncated("the local header of \(name)") }
        let record = Array(bytes[entry.localHeaderOffset...])
        let dataStart = try Self.dataOffset(localRecord: record, entry: entry)
        return try Self.extract(entry, try ByteReader(record, "the data of \(name)").slice(dataStart, entry.compressedSize))
    }

    // MARK: - Records

    /// Finds the end record by scanning back from the end (the comment may hold anything).
    static func endOfCentralDirectory(tail: [UInt8], fileSize: Int) throws(APKFormatError) -> (offset: Int, size: Int, count: Int) {
        let r = ByteReader(tail, "the end of central directory record")
        let tailStart = fileSize - tail.count
        var position = tail.count - endRecordSize
        while position >= 0 {
            if try r.u32(position) == 0x0605_4b50, try position + endRecordSize + Int(r.u16(position + 20)) <= tail.count {
                break
            }
            position -= 1
        }
        guard position >= 0 else { throw .badZip("no end of central directory record (is this an APK?)") }
        // A ZIP64 locator sits just before the end record.
        if position >= 20, try r.u32(position - 20) == 0x0706_4b50 { throw .zip64 }
        let disk = try r.u16(position + 4), cdDisk = try r.u16(position + 6)
        let count = try r.u16(position + 10), cdSize = try r.u32(position + 12), cdOffset = try r.u32(position + 16)
        if count == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF { throw .zip64 }
        guard disk == 0, cdDisk == 0 else { throw .badZip("multi-disk archives are not APKs") }
        let offset = Int(cdOffset), size = Int(cdSize)
        guard offset + size <= tailStart + position else {
            throw .badZip("the central directory (\(size) bytes at \(offset)) overlaps the end record at \(tailStart + position)")
        }
        return (offset, size, Int(count))
    }

    static func centralDirectory(_ bytes: [UInt8], count: Int) throws(APKFormatError) -> [ZipEntry] {
        let r = ByteReader(bytes, "the central directory")
        var entries: [ZipEntry] = []
        entries.reserveCapacity(count)
        var p = 0
        for index in 0..<count {
            guard try r.u32(p) == 0x0201_4b50 else { throw .badZip("central directory record \(index) has no PK\\1\\2 signature") }
            let nameLength = Int(try r.u16(p + 28)), extraLength = Int(try r.u16(p + 30)), commentLength = Int(try r.u16(p + 32))
            let name = String(decoding: try r.slice(p + 46, nameLength), as: UTF8.self)
            let compressed = try r.u32(p + 20), uncompressed = try r.u32(p + 24), offset = try r.u32(p + 42)
            if compressed == 0xFFFF_FFFF || uncompressed == 0xFFFF_FFFF || offset == 0xFFFF_FFFF { throw .zip64 }
            entries.append(
                ZipEntry(
                    name: name, method: try r.u16(p + 10), flags: try r.u16(p + 8), crc32: try r.u32(p + 16),
                    compressedSize: Int(compressed), uncompressedSize: Int(uncompressed), localHeaderOffset: Int(offset)))
            p += 46 + nameLength + extraLength + commentLength
        }
        return entries
    }

    static func checkReadable(_ entry: ZipEntry) throws(APKFormatError) {
        guard entry.method == 0 || entry.method == 8 else { throw .unsupportedCompression(entry: entry.name, method: entry.method) }
        guard entry.flags & 1 == 0 else { throw .badZip("\(entry.name) is encrypted") }
        guard entry.uncompressedSize <= maxEntrySize else { throw .badZip("\(entry.name) is \(entry.uncompressedSize) bytes, more than the \(maxEntrySize) read") }
    }

    /// Where the data starts in a record that begins at the local header.
    static func dataOffset(localRecord: [UInt8], entry: ZipEntry) throws(APKFormatError) -> Int {
        let r = ByteReader(localRecord, "the local header of \(entry.name)")
        guard try r.u32(0) == 0x0403_4b50 else { throw .badZip("\(entry.name) has no local header at \(entry.localHeaderOffset)") }
        return 30 + Int(try r.u16(26)) + Int(try r.u16(28))
    }

    static func extract(_ entry: ZipEntry, _ data: ArraySlice<UInt8>) throws(APKFormatError) -> [UInt8] {
        let output: [UInt8]
        switch entry.method {
        case 0: output = Array(data)
        case 8: output = try inflate(data, expected: entry.uncompressedSize, name: entry.name)
        default: throw .unsupportedCompression(entry: entry.name, method: entry.method)
        }
        guard output.count == entry.uncompressedSize else {
            throw .badZip("\(entry.name) holds \(output.count) bytes, its directory record says \(entry.uncompressedSize)")
        }
        guard crc32(output) == entry.crc32 else { throw .badZip("\(entry.name) fails its CRC-32 check") }
        return output
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(CZlib.crc32(0, $0.baseAddress, uInt($0.count))) }
    }

    /// Raw deflate (no zlib header), as ZIP stores it.
    static func inflate(_ input: ArraySlice<UInt8>, expected: Int, name: String) throws(APKFormatError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: expected)
        if expected == 0 { return output }
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .badZip("zlib could not start inflating \(name)")
        }
        defer { inflateEnd(&stream) }
        let (status, produced) =
            input.withContiguousStorageIfAvailable { inBuffer in
                output.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress)
                    stream.avail_in = uInt(inBuffer.count)
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = uInt(outBuffer.count)
                    let status = CZlib.inflate(&stream, Z_FINISH)
                    return (status, outBuffer.count - Int(stream.avail_out))
                }
            } ?? (Z_DATA_ERROR, 0)
        guard status == Z_STREAM_END else {
            throw .badZip(status == Z_BUF_ERROR ? "\(name) inflates to more or fewer than its \(expected) bytes" : "\(name) is not valid deflate data (zlib status \(status))")
        }
        return Array(output[..<produced])
    }
}
