/// Android's binary XML (AXML), as AndroidManifest.xml is stored in an APK: a string pool, a map
/// from attribute names to resource ids, then start/end element nodes with typed attributes.
public struct BinaryXML: Sendable {
    public struct Attribute: Sendable, Equatable {
        public var namespace: String?
        public var name: String
        /// The attribute's resource id (`android:label` is 0x01010001), when the map has one.
        /// Shrinkers may strip or rename attribute names; the id stays.
        public var resourceId: UInt32?
        public var value: ResourceValue
    }

    public enum Node: Sendable, Equatable {
        case start(name: String, attributes: [Attribute])
        case end(name: String)
    }

    public let nodes: [Node]

    // Chunk types (ResourceTypes.h).
    static let xmlType: UInt16 = 0x0003, resourceMapType: UInt16 = 0x0180
    static let startElementType: UInt16 = 0x0102, endElementType: UInt16 = 0x0103

    public init(_ bytes: [UInt8]) throws(APKFormatError) {
        let r = ByteReader(bytes, "AndroidManifest.xml")
        guard bytes.count >= 8, try r.u16(0) == Self.xmlType else { throw .badManifest("it does not start with an XML chunk") }
        let end = min(try r.int(4), bytes.count)
        var p = Int(try r.u16(2))
        var strings: StringPool?
        var resourceIds: [UInt32] = []
        var nodes: [Node] = []
        while p + 8 <= end {
            let type = try r.u16(p), headerSize = Int(try r.u16(p + 2)), size = try r.int(p + 4)
            guard size >= 8, headerSize <= size, r.has(p, size) else { throw .badManifest("chunk \(type) at \(p) has size \(size)") }
            switch type {
            case 0x0001:
                strings = try StringPool(r, at: p)
            case Self.resourceMapType:
                resourceIds = try (0..<(size - headerSize) / 4).map { (i: Int) throws(APKFormatError) in try r.u32(p + headerSize + 4 * i) }
            case Self.startElementType, Self.endElementType:
                guard let strings else { throw .badManifest("an element comes before the string pool") }
                let ext = p + headerSize
                let name = try strings.string(try r.int(ext + 4))
                if type == Self.endElementType {
                    nodes.append(.end(name: name))
                    break
                }
                let attributeStart = Int(try r.u16(ext + 8)), attributeSize = Int(try r.u16(ext + 10)), count = Int(try r.u16(ext + 12))
                guard attributeSize >= 20 else { throw .badManifest("attributes of <\(name)> are \(attributeSize) bytes each") }
                var attributes: [Attribute] = []
                for i in 0..<count {
                    let a = ext + attributeStart + i * attributeSize
                    guard a + 20 <= p + size else { throw .badManifest("the attributes of <\(name)> run past its chunk") }
                    let ns = try r.u32(a), nameIndex = Int(try r.u32(a + 4)), raw = try r.u32(a + 8)
                    let dataType = try r.u8(a + 15), data = try r.u32(a + 16)
                    var value = try ResourceValue.decode(type: dataType, data: data, strings: strings)
                    // Some tools leave the typed value null and keep only the raw string.
                    if dataType == ResourceValue.typeNull, raw != 0xFFFF_FFFF { value = .string(try strings.string(Int(raw))) }
                    attributes.append(
                        Attribute(
                            namespace: ns == 0xFFFF_FFFF ? nil : try strings.string(Int(ns)),
                            name: try strings.string(nameIndex),
                            resourceId: nameIndex < resourceIds.count ? resourceIds[nameIndex] : nil,
                            value: value))
                }
                nodes.append(.start(name: name, attributes: attributes))
            default:
                break  // namespaces, CDATA and unknown chunks carry nothing we need
            }
            p += size
        }
        self.nodes = nodes
    }
}

/// What an APK's manifest says about its name: the package, the application's label and the
/// launcher entries (activities and aliases with MAIN + LAUNCHER) with their own labels.
public struct ManifestInfo: Sendable, Equatable, Codable {
    public struct LauncherEntry: Sendable, Equatable, Codable {
        /// The fully qualified class name (`com.example.app.MainActivity`).
        public var name: String
        public var label: ResourceValue?
    }

    public var package: String
    public var applicationLabel: ResourceValue?
    /// In manifest order.
    public var launchers: [LauncherEntry]

    static let androidNamespace = "http://schemas.android.com/apk/res/android"
    static let labelId: UInt32 = 0x0101_0001, nameId: UInt32 = 0x0101_0003, enabledId: UInt32 = 0x0101_000E

    public init(package: String, applicationLabel: ResourceValue?, launchers: [LauncherEntry]) {
        self.package = package
        self.applicationLabel = applicationLabel
        self.launchers = launchers
    }

    public init(manifest bytes: [UInt8]) throws(APKFormatError) {
        try self.init(BinaryXML(bytes))
    }

    public init(_ xml: BinaryXML) throws(APKFormatError) {
        /// An android: attribute by resource id; by name only when the map gives it no id.
        func attribute(_ attributes: [BinaryXML.Attribute], _ id: UInt32, _ name: String) -> ResourceValue? {
            if let hit = attributes.first(where: { $0.resourceId == id }) { return hit.value }
            return attributes.first { $0.resourceId == nil && $0.name == name && ($0.namespace ?? Self.androidNamespace) == Self.androidNamespace }?.value
        }
        var package: String?
        var applicationLabel: ResourceValue?
        var launchers: [LauncherEntry] = []
        var path: [String] = []
        var component: (name: String, label: ResourceValue?, enabled: Bool)?
        var main = false, launcher = false
        for node in xml.nodes {
            switch node {
            case .start(let name, let attributes):
                switch (path.last, name) {
                case (nil, "manifest"):
                    if case .string(let p)? = attributes.first(where: { $0.name == "package" && $0.namespace == nil })?.value { package = p }
                case ("manifest", "application"):
                    applicationLabel = attribute(attributes, Self.labelId, "label")
                case ("application", "activity"), ("application", "activity-alias"):
                    var className = ""
                    if case .string(let n)? = attribute(attributes, Self.nameId, "name") { className = n }
                    var enabled = true
                    if case .bool(let e)? = attribute(attributes, Self.enabledId, "enabled") { enabled = e }
                    component = (className, attribute(attributes, Self.labelId, "label"), enabled)
                    main = false
                    launcher = false
                case ("intent-filter", "action"):
                    if case .string("android.intent.action.MAIN")? = attribute(attributes, Self.nameId, "name") { main = true }
                case ("intent-filter", "category"):
                    if case .string("android.intent.category.LAUNCHER")? = attribute(attributes, Self.nameId, "name") { launcher = true }
                default:
                    break
                }
                path.append(name)
            case .end(let name):
                if name == "activity" || name == "activity-alias", path.count == 3, let c = component {
                    if main, launcher, c.enabled { launchers.append(LauncherEntry(name: c.name, label: c.label)) }
                    component = nil
                }
                if !path.isEmpty { path.removeLast() }
            }
        }
        guard let package, !package.isEmpty else { throw .badManifest("<manifest> has no package attribute") }
        self.package = package
        self.applicationLabel = applicationLabel
        self.launchers = launchers.map { LauncherEntry(name: Self.qualified($0.name, package: package), label: $0.label) }
    }

    /// `.Main` and `Main` are relative to the package.
    static func qualified(_ name: String, package: String) -> String {
        if name.hasPrefix(".") { return package + name }
        return name.contains(".") ? name : package + "." + name
    }

    /// The label the launcher shows for an entry: its own label, else the application's. With
    /// `component` nil (`pkg/cls` or `pkg/.cls` unknown), the first launcher entry's.
    public func launcherLabel(component: String?) -> ResourceValue? {
        var entry = launchers.first
        if let component {
            let parts = component.split(separator: "/", maxSplits: 1).map(String.init)
            if parts.count == 2 {
                let wanted = Self.qualified(parts[1], package: parts[0])
                entry = launchers.first { $0.name == wanted } ?? entry
            }
        }
        return entry?.label ?? applicationLabel
    }
}
