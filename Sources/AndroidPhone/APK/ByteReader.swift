/// Why an APK (or a part of one) could not be read. Each case names the part and the problem.
public enum APKFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes end before a structure that should be there.
    case truncated(String)
    /// The ZIP container is not one, or is damaged.
    case badZip(String)
    /// ZIP64 archives (over 4 GB or 65535 entries) are not read.
    case zip64
    /// An entry is compressed with a method other than stored (0) or deflate (8).
    case unsupportedCompression(entry: String, method: UInt16)
    /// A needed entry is not in the archive.
    case missingEntry(String)
    /// AndroidManifest.xml is not valid binary XML.
    case badManifest(String)
    /// resources.arsc is not a valid resource table.
    case badResources(String)

    public var description: String {
        switch self {
        case .truncated(let what): return "truncated: \(what) runs past the end of the data"
        case .badZip(let what): return "not a valid ZIP archive: \(what)"
        case .zip64: return "ZIP64 archives are not supported"
        case .unsupportedCompression(let entry, let method): return "\(entry) uses compression method \(method) (only stored and deflate are read)"
        case .missingEntry(let name): return "the archive has no \(name)"
        case .badManifest(let what): return "AndroidManifest.xml is not valid binary XML: \(what)"
        case .badResources(let what): return "resources.arsc is not a valid resource table: \(what)"
        }
    }
}

/// Bounds-checked little-endian reads from a byte array; every read that would run past the
/// end throws instead of trapping, so damaged input cannot crash the process.
struct ByteReader {
    let bytes: [UInt8]
    /// What is being read, for error messages.
    let what: String

    init(_ bytes: [UInt8], _ what: String) {
        self.bytes = bytes
        self.what = what
    }

    var count: Int { bytes.count }

    func has(_ offset: Int, _ length: Int) -> Bool {
        offset >= 0 && length >= 0 && offset <= bytes.count && length <= bytes.count - offset
    }

    func u8(_ offset: Int) throws(APKFormatError) -> UInt8 {
        guard has(offset, 1) else { throw .truncated(what) }
        return bytes[offset]
    }

    func u16(_ offset: Int) throws(APKFormatError) -> UInt16 {
        guard has(offset, 2) else { throw .truncated(what) }
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    func u32(_ offset: Int) throws(APKFormatError) -> UInt32 {
        guard has(offset, 4) else { throw .truncated(what) }
        return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }

    func int(_ offset: Int) throws(APKFormatError) -> Int { Int(try u32(offset)) }

    func slice(_ offset: Int, _ length: Int) throws(APKFormatError) -> ArraySlice<UInt8> {
        guard has(offset, length) else { throw .truncated(what) }
        return bytes[offset..<offset + length]
    }
}
