/// A locale as a resource configuration names it: `values-zh-rCN` is language "zh", region "CN";
/// the default configuration has both empty.
public struct ResourceLocale: Sendable, Hashable, Codable, CodingKeyRepresentable, Comparable, CustomStringConvertible {
    public var language: String
    public var region: String

    public init(language: String = "", region: String = "") {
        self.language = language.lowercased()
        self.region = region.uppercased()
    }

    /// Reads a BCP 47 tag (`zh-CN`, `zh-Hans-CN`, `en_US`, `fr`); the script is dropped.
    public init(tag: String) {
        let parts = tag.trimmingCharacters(in: .whitespacesAndNewlines).split(whereSeparator: { $0 == "-" || $0 == "_" }).map(String.init)
        let language = parts.first ?? ""
        let region = parts.dropFirst().first { ($0.count == 2 && $0.allSatisfy(\.isLetter)) || ($0.count == 3 && $0.allSatisfy(\.isNumber)) } ?? ""
        self.init(language: language, region: region)
    }

    public static let `default` = ResourceLocale()

    /// The writing system, where regions of one language differ in it: Chinese is Simplified
    /// (Hans) except in Taiwan, Hong Kong and Macau (Hant). Other languages are taken as one script.
    var script: String {
        guard language == "zh" else { return "" }
        return ["TW", "HK", "MO"].contains(region) ? "Hant" : "Hans"
    }
    public var isDefault: Bool { language.isEmpty && region.isEmpty }
    /// `zh-CN`, `fr`, or "" for the default.
    public var description: String { region.isEmpty ? language : "\(language)-\(region)" }
    public static func < (a: ResourceLocale, b: ResourceLocale) -> Bool { a.description < b.description }

    // Encoded as its tag ("zh-CN", "" for the default), also as a dictionary key, so that the
    // label cache reads as {"": "Settings", "zh-CN": "设置"}.
    public init(from decoder: any Decoder) throws { self.init(tag: try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// The best of `available` for this locale: the same language and region, then the
    /// language alone (`values-fr` for fr-CA), then the language in another region with the
    /// same script (zh-SG takes zh-CN, zh-HK does not), then the default configuration. Nil when none of these is available.
    public func bestMatch(in available: some Collection<ResourceLocale>) -> ResourceLocale? {
        if !language.isEmpty {
            if available.contains(self) { return self }
            let languageOnly = ResourceLocale(language: language)
            if available.contains(languageOnly) { return languageOnly }
            if let other = available.filter({ $0.language == language && $0.script == script }).sorted().first { return other }
        }
        return available.contains(.default) ? .default : nil
    }
}

extension ResourceLocale {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
    public var codingKey: any CodingKey { Key(stringValue: description) }
    public init?<T: CodingKey>(codingKey: T) { self.init(tag: codingKey.stringValue) }
}

/// A string resource's value in every locale the table has it for.
public typealias LocalizedString = [ResourceLocale: String]

extension Dictionary where Key == ResourceLocale, Value == String {
    /// The value for a device locale (see `ResourceLocale.bestMatch`); any value as a last resort.
    public func value(for locale: ResourceLocale) -> String? {
        if let key = locale.bestMatch(in: keys) { return self[key] }
        return self.sorted { $0.key < $1.key }.first?.value
    }
}

/// resources.arsc (`ResTable`): the global value string pool and, per package, type chunks
/// whose entries hold one value per configuration. Only what resolving a string needs is read:
/// configurations by language and region, plain (not complex) entries, dense, offset16 and
/// sparse entry encodings, and compact entries (Android 14+).
public struct ResourceTable: Sendable {
    struct TypeChunk {
        let offset: Int
        let headerSize: Int
        let flags: UInt8
        let entryCount: Int
        let entriesStart: Int
        let locale: ResourceLocale
        /// Whether the configuration sets anything besides the locale (density, night mode, SDK …).
        let otherQualifiers: Bool
    }

    let reader: ByteReader
    let strings: StringPool
    /// Type chunks by (package id, type id).
    let types: [UInt16: [TypeChunk]]

    static let tableType: UInt16 = 0x0002, packageType: UInt16 = 0x0200, typeType: UInt16 = 0x0201
    static let sparseFlag: UInt8 = 0x01, offset16Flag: UInt8 = 0x02
    static let complexFlag: UInt16 = 0x0001, compactFlag: UInt16 = 0x0008
    /// References followed before giving up (a chain that loops).
    static let maxReferenceDepth = 8

    public init(_ bytes: [UInt8]) throws(APKFormatError) {
        let r = ByteReader(bytes, "resources.arsc")
        do {
            guard bytes.count >= 12, try r.u16(0) == Self.tableType else { throw APKFormatError.badResources("it does not start with a table chunk") }
            let end = min(try r.int(4), bytes.count)
            var p = Int(try r.u16(2))
            var strings: StringPool?
            var types: [UInt16: [TypeChunk]] = [:]
            while p + 8 <= end {
                let type = try r.u16(p), headerSize = Int(try r.u16(p + 2)), size = try r.int(p + 4)
                guard size >= 8, headerSize <= size, r.has(p, size) else { throw APKFormatError.badResources("chunk \(type) at \(p) has size \(size)") }
                if type == 0x0001, strings == nil { strings = try StringPool(r, at: p) }
                if type == Self.packageType { try Self.readPackage(r, at: p, headerSize: headerSize, size: size, into: &types) }
                p += size
            }
            guard let strings else { throw APKFormatError.badResources("no value string pool") }
            self.reader = r
            self.strings = strings
            self.types = types
        } catch let error as APKFormatError {
            if case .truncated(let what) = error { throw .badResources("truncated: \(what)") }
            throw error
        } catch {
            throw .badResources("\(error)")
        }
    }

    static func readPackage(_ r: ByteReader, at start: Int, headerSize: Int, size: Int, into types: inout [UInt16: [TypeChunk]]) throws(APKFormatError) {
        let packageId = try r.u32(start + 8)
        guard packageId <= 0xFF else { throw .badResources("package id \(packageId)") }
        // Newer tables add typeIdOffset after lastPublicKey.
        let typeIdOffset = headerSize >= 288 ? Int(try r.u32(start + 284)) : 0
        var p = start + headerSize
        let end = start + size
        while p + 8 <= end {
            let type = try r.u16(p), chunkHeader = Int(try r.u16(p + 2)), chunkSize = try r.int(p + 4)
            guard chunkSize >= 8, chunkHeader <= chunkSize, p + chunkSize <= end else {
                throw .badResources("chunk \(type) at \(p) has size \(chunkSize)")
            }
            if type == typeType {
                let typeId = Int(try r.u8(p + 8)) + typeIdOffset
                let configStart = p + 20
                let configSize = Int(try r.u32(configStart))
                guard configSize >= 12, configStart + configSize <= p + chunkHeader else {
                    throw .badResources("a configuration of \(configSize) bytes in type \(typeId)")
                }
                let config = try r.slice(configStart, configSize)
                let locale = Self.locale(language: try r.slice(configStart + 8, 2), region: try r.slice(configStart + 10, 2))
                // Everything after size, mcc/mnc (4), language and region (4) that is not zero is another qualifier.
                var other = config.dropFirst(4).prefix(4).contains { $0 != 0 }
                if configSize > 12 { other = other || config.dropFirst(12).contains { $0 != 0 } }
                let chunk = TypeChunk(
                    offset: p, headerSize: chunkHeader, flags: try r.u8(p + 9), entryCount: try r.int(p + 12),
                    entriesStart: try r.int(p + 16), locale: locale, otherQualifiers: other)
                guard typeId <= 0xFF else { throw .badResources("type id \(typeId)") }
                types[UInt16(packageId) << 8 | UInt16(typeId), default: []].append(chunk)
            }
            p += chunkSize
        }
    }

    /// Two bytes of ResTable_config's language or country: two ASCII letters, or three letters
    /// packed into 5-bit groups when the high bit is set.
    static func locale(language: ArraySlice<UInt8>, region: ArraySlice<UInt8>) -> ResourceLocale {
        func unpack(_ b: ArraySlice<UInt8>, base: UInt8) -> String {
            let b0 = b[b.startIndex], b1 = b[b.startIndex + 1]
            if b0 == 0 { return "" }
            if b0 & 0x80 == 0 { return String(decoding: [b0, b1], as: UTF8.self) }
            let first = b1 & 0x1F, second = ((b1 & 0xE0) >> 5) | ((b0 & 0x03) << 3), third = (b0 & 0x7C) >> 2
            return String(decoding: [base + first, base + second, base + third], as: UTF8.self)
        }
        return ResourceLocale(language: unpack(language, base: 0x61), region: unpack(region, base: 0x30))
    }

    // MARK: - Lookup

    /// The entry's value in one type chunk, nil when the chunk has no such entry or it is complex.
    func value(in chunk: TypeChunk, entry index: Int) throws(APKFormatError) -> ResourceValue? {
        let r = reader
        let table = chunk.offset + chunk.headerSize
        var offset: Int?
        if chunk.flags & Self.sparseFlag != 0 {
            // (index u16, offset/4 u16) pairs sorted by index.
            var low = 0, high = chunk.entryCount - 1
            while low <= high {
                let mid = (low + high) / 2
                let at = Int(try r.u16(table + 4 * mid))
                if at == index { offset = Int(try r.u16(table + 4 * mid + 2)) * 4; break }
                if at < index { low = mid + 1 } else { high = mid - 1 }
            }
        } else {
            guard index < chunk.entryCount else { return nil }
            if chunk.flags & Self.offset16Flag != 0 {
                let v = try r.u16(table + 2 * index)
                if v != 0xFFFF { offset = Int(v) * 4 }
            } else {
                let v = try r.u32(table + 4 * index)
                if v != 0xFFFF_FFFF { offset = Int(v) }
            }
        }
        guard let offset else { return nil }
        let e = chunk.offset + chunk.entriesStart + offset
        let size = Int(try r.u16(e)), flags = try r.u16(e + 2)
        if flags & Self.compactFlag != 0 {
            return try ResourceValue.decode(type: UInt8(flags >> 8), data: try r.u32(e + 4), strings: strings)
        }
        if flags & Self.complexFlag != 0 { return nil }
        return try ResourceValue.decode(type: try r.u8(e + size + 3), data: try r.u32(e + size + 4), strings: strings)
    }

    /// Every value a resource has, by locale. A configuration that only sets the locale wins
    /// over one that also sets density, night mode and the like.
    public func values(of id: UInt32) throws(APKFormatError) -> [ResourceLocale: ResourceValue] {
        let key = UInt16(id >> 16)
        let index = Int(id & 0xFFFF)
        var found: [ResourceLocale: (value: ResourceValue, other: Bool)] = [:]
        for chunk in types[key] ?? [] {
            guard let value = try value(in: chunk, entry: index) else { continue }
            if let existing = found[chunk.locale], !existing.other || chunk.otherQualifiers { continue }
            found[chunk.locale] = (value, chunk.otherQualifiers)
        }
        return found.mapValues(\.value)
    }

    /// A string resource in every locale, following references (`@string/a` → `@string/b`).
    public func localizedString(_ id: UInt32) throws(APKFormatError) -> LocalizedString {
        try localizedString(id, depth: 0)
    }

    func localizedString(_ id: UInt32, depth: Int) throws(APKFormatError) -> LocalizedString {
        guard depth < Self.maxReferenceDepth else { throw .badResources(String(format: "reference chain from 0x%08x is too long (a loop?)", id)) }
        let values = try values(of: id)
        // A locale the target has but this resource lacks still gets a value: `app_name` only
        // in the default configuration pointing at `real_name` with a zh-CN value is 引用名称
        // in zh-CN, as Android (and aapt) resolve it.
        var targets: [UInt32: LocalizedString] = [:]
        for case .reference(let next) in values.values where targets[next] == nil {
            targets[next] = try localizedString(next, depth: depth + 1)
        }
        var result: LocalizedString = [:]
        for locale in Set(values.keys).union(targets.values.flatMap(\.keys)) {
            guard let key = locale.bestMatch(in: values.keys) else { continue }
            switch values[key] {
            case .string(let s)?: result[locale] = s
            case .reference(let next)?: if let s = targets[next]?.value(for: locale) { result[locale] = s }
            default: continue
            }
        }
        return result
    }

    /// The strings a manifest value means: a literal in the default locale, or the resource.
    public func localizedString(_ value: ResourceValue?) throws(APKFormatError) -> LocalizedString {
        switch value {
        case .string(let s)?: return [.default: s]
        case .reference(let id)?: return try localizedString(id)
        default: return [:]
        }
    }
}
