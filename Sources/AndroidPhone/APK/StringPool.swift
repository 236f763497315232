/// A typed value of a binary XML attribute or a resource table entry (`Res_value`).
public enum ResourceValue: Sendable, Equatable, Codable {
    case string(String)
    /// `@type/name` as a resource id (`0xPPTTEEEE`).
    case reference(UInt32)
    case int(Int32)
    case bool(Bool)
    /// Any other type (float, dimension, colour, attribute reference …), kept raw.
    case other(type: UInt8, data: UInt32)

    // Res_value data types.
    static let typeNull: UInt8 = 0x00, typeReference: UInt8 = 0x01, typeString: UInt8 = 0x03
    static let typeDynamicReference: UInt8 = 0x07, typeIntDec: UInt8 = 0x10, typeIntHex: UInt8 = 0x11, typeBool: UInt8 = 0x12

    /// Decodes `dataType` + `data`; string data is an index into `strings`.
    static func decode(type: UInt8, data: UInt32, strings: StringPool) throws(APKFormatError) -> ResourceValue {
        switch type {
        case typeString: return .string(try strings.string(Int(data)))
        case typeReference, typeDynamicReference: return .reference(data)
        case typeIntDec, typeIntHex: return .int(Int32(bitPattern: data))
        case typeBool: return .bool(data != 0)
        default: return .other(type: type, data: data)
        }
    }
}

/// A `ResStringPool` chunk (type 0x0001): UTF-8 or UTF-16 strings, decoded on demand because a
/// resource table's pool can hold tens of thousands of them.
struct StringPool {
    let reader: ByteReader
    /// Offset of the chunk in `reader`.
    let start: Int
    let count: Int
    let utf8: Bool
    let stringsStart: Int
    let chunkEnd: Int

    static let utf8Flag: UInt32 = 0x100

    init(_ reader: ByteReader, at start: Int) throws(APKFormatError) {
        guard try reader.u16(start) == 0x0001 else { throw .truncated("\(reader.what): expected a string pool at \(start)") }
        let headerSize = Int(try reader.u16(start + 2)), size = try reader.int(start + 4)
        guard headerSize >= 28, reader.has(start, size), size >= headerSize else {
            throw .truncated("\(reader.what): the string pool at \(start) (\(size) bytes)")
        }
        self.reader = reader
        self.start = start
        self.count = try reader.int(start + 8)
        self.utf8 = try reader.u32(start + 16) & Self.utf8Flag != 0
        self.stringsStart = start + (try reader.int(start + 20))
        self.chunkEnd = start + size
        guard count <= (size - headerSize) / 4 else { throw .truncated("\(reader.what): \(count) string offsets in a \(size)-byte pool") }
        self.offsetsStart = start + headerSize
    }

    let offsetsStart: Int

    func string(_ index: Int) throws(APKFormatError) -> String {
        guard index >= 0, index < count else { throw .truncated("\(reader.what): string \(index) of a pool of \(count)") }
        var p = stringsStart + (try reader.int(offsetsStart + 4 * index))
        guard p < chunkEnd else { throw .truncated("\(reader.what): string \(index)") }
        if utf8 {
            // UTF-16 length then UTF-8 length, each one byte or two (high bit set).
            func length() throws(APKFormatError) -> Int {
                let first = Int(try reader.u8(p)); p += 1
                guard first & 0x80 != 0 else { return first }
                let second = Int(try reader.u8(p)); p += 1
                return (first & 0x7F) << 8 | second
            }
            _ = try length()
            let bytes = try length()
            guard p + bytes <= chunkEnd else { throw .truncated("\(reader.what): string \(index)") }
            return String(decoding: try reader.slice(p, bytes), as: UTF8.self)
        }
        var units = Int(try reader.u16(p)); p += 2
        if units & 0x8000 != 0 {
            units = (units & 0x7FFF) << 16 | Int(try reader.u16(p)); p += 2
        }
        guard p + 2 * units <= chunkEnd else { throw .truncated("\(reader.what): string \(index)") }
        var code: [UInt16] = []
        code.reserveCapacity(units)
        for i in 0..<units { code.append(try reader.u16(p + 2 * i)) }
        return String(decoding: code, as: UTF16.self)
    }
}
