/// The names an APK gives itself, in every locale it has them for: what `aapt dump badging`
/// prints as `application-label[-LOCALE]` and the launchable activities' labels.
public struct APKLabels: Sendable, Equatable, Codable {
    public struct Launcher: Sendable, Equatable, Codable {
        /// The fully qualified class of the activity or activity-alias.
        public var name: String
        /// Its own label when it has one, else the application's.
        public var label: LocalizedString
    }

    public var package: String
    public var applicationLabel: LocalizedString
    public var launchers: [Launcher]

    public init(package: String, applicationLabel: LocalizedString, launchers: [Launcher]) {
        self.package = package
        self.applicationLabel = applicationLabel
        self.launchers = launchers
    }

    /// Resolves a manifest's labels against the resource table (nil when every label is a
    /// literal string, so the table need not be read).
    public init(manifest: ManifestInfo, resources: ResourceTable?) throws(APKFormatError) {
        func resolve(_ value: ResourceValue?) throws(APKFormatError) -> LocalizedString {
            if case .reference(let id)? = value {
                guard let resources else { throw .missingEntry("resources.arsc (the label is a resource reference)") }
                return try resources.localizedString(id)
            }
            return try ResourceTable.localizedString(literal: value)
        }
        let application = try resolve(manifest.applicationLabel)
        var launchers: [Launcher] = []
        for entry in manifest.launchers {
            launchers.append(Launcher(name: entry.name, label: entry.label == nil ? application : try resolve(entry.label)))
        }
        self.init(package: manifest.package, applicationLabel: application, launchers: launchers)
    }

    /// The label the launcher shows for `component` (`pkg/.Main`; nil: the first launcher entry)
    /// in a locale. Falls back to the application label.
    public func label(component: String?, locale: ResourceLocale) -> String? {
        var entry = launchers.first
        if let component {
            let parts = component.split(separator: "/", maxSplits: 1).map(String.init)
            if parts.count == 2 {
                let wanted = ManifestInfo.qualified(parts[1], package: parts[0])
                entry = launchers.first { $0.name == wanted } ?? entry
            }
        }
        let text = entry?.label.value(for: locale) ?? applicationLabel.value(for: locale)
        return text.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Every label the launcher entry for `component` has, in any locale (the application's
    /// labels when it has none of its own), without repeats.
    public func allLabels(component: String?) -> [String] {
        var entry = launchers.first
        if let component {
            let parts = component.split(separator: "/", maxSplits: 1).map(String.init)
            if parts.count == 2 {
                let wanted = ManifestInfo.qualified(parts[1], package: parts[0])
                entry = launchers.first { $0.name == wanted } ?? entry
            }
        }
        let texts = (entry?.label ?? applicationLabel).sorted { $0.key.description < $1.key.description }.map(\.value)
        var seen: Set<String> = []
        return texts.filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    static let manifestName = "AndroidManifest.xml", resourcesName = "resources.arsc"

    /// Reads the labels through ranged reads: the central directory, the manifest, and the
    /// resource table only when a label refers to it.
    public static func read(size: Int, read: ZipArchive.RangeReader) async throws -> APKLabels {
        let archive = try await ZipArchive.open(size: size, read: read)
        let manifest = try ManifestInfo(manifest: try await archive.contents(of: manifestName, read: read))
        var resources: ResourceTable?
        if manifest.needsResources, archive.entry(resourcesName) != nil {
            resources = try ResourceTable(try await archive.contents(of: resourcesName, read: read))
        }
        return try APKLabels(manifest: manifest, resources: resources)
    }

    /// Reads the labels of an APK held in memory.
    public init(apk bytes: [UInt8]) throws(APKFormatError) {
        let archive = try ZipArchive.open(bytes: bytes)
        let manifest = try ManifestInfo(manifest: try archive.contents(of: Self.manifestName, in: bytes))
        var resources: ResourceTable?
        if manifest.needsResources, archive.entry(Self.resourcesName) != nil {
            resources = try ResourceTable(try archive.contents(of: Self.resourcesName, in: bytes))
        }
        try self.init(manifest: manifest, resources: resources)
    }
}

extension ManifestInfo {
    /// Whether any label is a resource reference.
    var needsResources: Bool {
        ([applicationLabel] + launchers.map(\.label)).contains { if case .reference? = $0 { true } else { false } }
    }
}

extension ResourceTable {
    static func localizedString(literal value: ResourceValue?) throws(APKFormatError) -> LocalizedString {
        if case .string(let s)? = value { return [.default: s] }
        return [:]
    }
}
