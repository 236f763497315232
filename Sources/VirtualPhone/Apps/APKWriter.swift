internal import CZlib

/// Writes the small APKs the virtual phone serves at the paths `pm path` prints: a ZIP with a
/// binary AndroidManifest.xml (deflated, as build tools do) and a resources.arsc (stored, as
/// Android 11+ requires) whose `@string/app_name` holds the label in the default configuration
/// and in each localized one. Enough for `aapt dump badging`, androguard and Tether's own reader;
/// there is no code, signature or icon.
///
/// The output is deterministic (fixed timestamps, fixed order) so a committed copy can be
/// compared byte for byte.
public enum APKWriter {
    /// The one resource: package 0x7f, type 1 (string), entry 0.
    public static let labelResourceId: UInt32 = 0x7F01_0000

    /// An APK for a package whose launcher activity `activity` (`.Main` or a full class name)
    /// is labelled by the application label. `localizedLabels` maps resource qualifiers such as
    /// `zh-rCN` or `fr` to labels.
    public static func apk(package: String, activity: String, label: String, localizedLabels: [String: String] = [:]) -> [UInt8] {
        let manifest = manifest(package: package, activity: activity)
        let resources = resourceTable(package: package, label: label, localizedLabels: localizedLabels)
        return zip([(name: "AndroidManifest.xml", data: manifest, deflate: true), (name: "resources.arsc", data: resources, deflate: false)])
    }

    // MARK: - Binary XML

    static let androidNamespace = "http://schemas.android.com/apk/res/android"

    static func manifest(package: String, activity: String) -> [UInt8] {
        // Attribute names with resource ids come first, in the order of the resource map.
        let strings = [
            "label", "name", "android", androidNamespace, "package", "manifest", "application", "activity",
            "intent-filter", "action", "category", package, activity,
            "android.intent.action.MAIN", "android.intent.category.LAUNCHER"
        ]
        func index(_ s: String) -> UInt32 { UInt32(strings.firstIndex(of: s) ?? 0) }
        let none: UInt32 = 0xFFFF_FFFF
        var body: [UInt8] = []
        body += stringPool(strings, utf8: false)
        var map = Chunk(type: 0x0180, headerSize: 8)
        map.body.u32(0x0101_0001)  // android:label
        map.body.u32(0x0101_0003)  // android:name
        body += map.bytes

        func namespace(_ type: UInt16) -> [UInt8] {
            var c = Chunk(type: type, headerSize: 16)
            c.header.u32(1); c.header.u32(none)
            c.body.u32(index("android")); c.body.u32(index(androidNamespace))
            return c.bytes
        }
        typealias Attribute = (namespace: UInt32, name: UInt32, raw: UInt32, type: UInt8, data: UInt32)
        func string(_ name: String, _ value: String, android: Bool = true) -> Attribute {
            (android ? index(androidNamespace) : none, index(name), index(value), 0x03, index(value))
        }
        func start(_ name: String, _ attributes: [Attribute]) -> [UInt8] {
            var c = Chunk(type: 0x0102, headerSize: 16)
            c.header.u32(1); c.header.u32(none)
            c.body.u32(none); c.body.u32(index(name))
            c.body.u16(20); c.body.u16(20); c.body.u16(UInt16(attributes.count))
            c.body.u16(0); c.body.u16(0); c.body.u16(0)
            for a in attributes {
                c.body.u32(a.namespace); c.body.u32(a.name); c.body.u32(a.raw)
                c.body.u16(8); c.body.append(0); c.body.append(a.type); c.body.u32(a.data)
            }
            return c.bytes
        }
        func end(_ name: String) -> [UInt8] {
            var c = Chunk(type: 0x0103, headerSize: 16)
            c.header.u32(1); c.header.u32(none)
            c.body.u32(none); c.body.u32(index(name))
            return c.bytes
        }
        body += namespace(0x0100)
        body += start("manifest", [string("package", package, android: false)])
        body += start("application", [(index(androidNamespace), index("label"), none, 0x01, labelResourceId)])
        body += start("activity", [string("name", activity)])
        body += start("intent-filter", [])
        body += start("action", [string("name", "android.intent.action.MAIN")]) + end("action")
        body += start("category", [string("name", "android.intent.category.LAUNCHER")]) + end("category")
        body += end("intent-filter") + end("activity") + end("application") + end("manifest")
        body += namespace(0x0101)
        var xml = Chunk(type: 0x0003, headerSize: 8)
        xml.body = body
        return xml.bytes
    }

    // MARK: - Resource table

    static func resourceTable(package: String, label: String, localizedLabels: [String: String]) -> [UInt8] {
        let locales = localizedLabels.keys.sorted()
        let values = [label] + locales.compactMap { localizedLabels[$0] }
        var table = Chunk(type: 0x0002, headerSize: 12)
        table.header.u32(1)  // one package
        table.body += stringPool(values, utf8: true)

        var pkg = Chunk(type: 0x0200, headerSize: 288)
        pkg.header.u32(0x7F)
        var name = Array(package.utf16.prefix(127))
        name += Array(repeating: 0, count: 128 - name.count)
        for unit in name { pkg.header.u16(unit) }
        let typeStrings = stringPool(["string"], utf8: true), keyStrings = stringPool(["app_name"], utf8: true)
        pkg.header.u32(288)  // typeStrings
        pkg.header.u32(1)  // lastPublicType
        pkg.header.u32(UInt32(288 + typeStrings.count))  // keyStrings
        pkg.header.u32(1)  // lastPublicKey
        pkg.header.u32(0)  // typeIdOffset
        pkg.body += typeStrings + keyStrings

        var spec = Chunk(type: 0x0202, headerSize: 16)
        spec.header.append(1); spec.header.append(0); spec.header.u16(0)
        spec.header.u32(1)
        spec.body.u32(locales.isEmpty ? 0 : 0x0004)  // CONFIG_LOCALE varies
        pkg.body += spec.bytes

        for (index, qualifier) in ([""] + locales).enumerated() {
            var type = Chunk(type: 0x0201, headerSize: 20 + 64)
            type.header.append(1); type.header.append(0); type.header.u16(0)
            type.header.u32(1)  // entryCount
            type.header.u32(20 + 64 + 4)  // entriesStart
            type.header += config(qualifier)
            type.body.u32(0)  // the entry's offset
            type.body.u16(8); type.body.u16(0); type.body.u32(0)  // ResTable_entry: size, flags, key
            type.body.u16(8); type.body.append(0); type.body.append(0x03); type.body.u32(UInt32(index))  // Res_value: string
            pkg.body += type.bytes
        }
        table.body += pkg.bytes
        return table.bytes
    }

    /// A 64-byte ResTable_config with only the language and region of `zh-rCN` / `fr` / "".
    static func config(_ qualifier: String) -> [UInt8] {
        var c = [UInt8](repeating: 0, count: 64)
        c[0] = 64
        let parts = qualifier.split(separator: "-")
        if let language = parts.first, language.utf8.count == 2 { c[8] = Array(language.utf8)[0]; c[9] = Array(language.utf8)[1] }
        if parts.count > 1, parts[1].hasPrefix("r"), parts[1].utf8.count == 3 { c[10] = Array(parts[1].utf8)[1]; c[11] = Array(parts[1].utf8)[2] }
        return c
    }

    // MARK: - Chunks and string pools

    struct Chunk {
        let type: UInt16
        let headerSize: UInt16
        /// Header fields after the 8-byte chunk header.
        var header: [UInt8] = []
        var body: [UInt8] = []

        init(type: UInt16, headerSize: UInt16) {
            self.type = type
            self.headerSize = headerSize
        }

        var bytes: [UInt8] {
            var out: [UInt8] = []
            out.u16(type); out.u16(headerSize); out.u32(UInt32(8 + header.count + body.count))
            return out + header + body
        }
    }

    static func stringPool(_ strings: [String], utf8: Bool) -> [UInt8] {
        var data: [UInt8] = []
        var offsets: [UInt32] = []
        for s in strings {
            offsets.append(UInt32(data.count))
            if utf8 {
                func length(_ n: Int) { if n > 0x7F { data.append(UInt8(0x80 | (n >> 8))) }; data.append(UInt8(n & 0xFF)) }
                length(s.utf16.count); length(s.utf8.count)
                data += Array(s.utf8) + [0]
            } else {
                let units = Array(s.utf16)
                if units.count > 0x7FFF { data.u16(UInt16(0x8000 | (units.count >> 16))) }
                data.u16(UInt16(units.count & 0xFFFF))
                for u in units { data.u16(u) }
                data.u16(0)
            }
        }
        while data.count % 4 != 0 { data.append(0) }
        var pool = Chunk(type: 0x0001, headerSize: 28)
        pool.header.u32(UInt32(strings.count)); pool.header.u32(0)
        pool.header.u32(utf8 ? 0x100 : 0)
        pool.header.u32(UInt32(28 + 4 * strings.count)); pool.header.u32(0)
        for o in offsets { pool.body.u32(o) }
        pool.body += data
        return pool.bytes
    }

    // MARK: - ZIP

    static func zip(_ files: [(name: String, data: [UInt8], deflate: Bool)]) -> [UInt8] {
        var out: [UInt8] = []
        var directory: [UInt8] = []
        for file in files {
            let crc = file.data.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
            let deflated = file.deflate ? deflate(file.data) : nil
            let stored = deflated ?? file.data
            let method: UInt16 = deflated == nil ? 0 : 8
            let name = Array(file.name.utf8)
            let offset = UInt32(out.count)
            // Local header; 1980-01-01 00:00 as the DOS date and time, like reproducible builds.
            out.u32(0x0403_4B50); out.u16(20); out.u16(0); out.u16(method); out.u16(0); out.u16(0x21)
            out.u32(crc); out.u32(UInt32(stored.count)); out.u32(UInt32(file.data.count))
            out.u16(UInt16(name.count)); out.u16(0)
            out += name + stored
            directory.u32(0x0201_4B50); directory.u16(20); directory.u16(20); directory.u16(0); directory.u16(method)
            directory.u16(0); directory.u16(0x21)
            directory.u32(crc); directory.u32(UInt32(stored.count)); directory.u32(UInt32(file.data.count))
            directory.u16(UInt16(name.count)); directory.u16(0); directory.u16(0); directory.u16(0); directory.u16(0)
            directory.u32(0); directory.u32(offset)
            directory += name
        }
        let directoryOffset = UInt32(out.count)
        out += directory
        out.u32(0x0605_4B50); out.u16(0); out.u16(0); out.u16(UInt16(files.count)); out.u16(UInt16(files.count))
        out.u32(UInt32(directory.count)); out.u32(directoryOffset); out.u16(0)
        return out
    }

    /// Raw deflate at the best compression; nil if zlib fails (the entry is then stored).
    static func deflate(_ input: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        guard
            deflateInit2_(
                &stream, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
                zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { return nil }
        defer { deflateEnd(&stream) }
        var input = input
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 16)
        let (status, produced) = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                let status = CZlib.deflate(&stream, Z_FINISH)
                return (status, outBuffer.count - Int(stream.avail_out))
            }
        }
        guard status == Z_STREAM_END else { return nil }
        return Array(output[..<produced])
    }
}

private extension [UInt8] {
    mutating func u16(_ v: UInt16) { append(UInt8(v & 0xFF)); append(UInt8(v >> 8)) }
    mutating func u32(_ v: UInt32) { for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((v >> UInt32(shift)) & 0xFF)) } }
}
