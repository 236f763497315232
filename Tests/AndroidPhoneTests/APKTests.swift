import AndroidPhone
import Foundation
import Testing
import VirtualPhone

/// What Scripts/make-apk-fixtures recorded from aapt and androguard for each fixture APK.
struct ExpectedLabels: Decodable {
    struct APK: Decodable {
        struct AAPT: Decodable {
            /// `application-label[-LOCALE]` lines (printed only for resource labels).
            var applicationLabel: [String: String]
            /// The `application: label='…'` line, in the default locale.
            var application: String
            var launchableActivity: Launchable?
            enum CodingKeys: String, CodingKey {
                case applicationLabel = "application-label", application, launchableActivity = "launchable-activity"
            }
        }
        struct Launchable: Decodable { var name: String; var label: String }
        struct Androguard: Decodable {
            var appName: String
            var mainActivity: String
            var launcherLabel: [String: String]
            enum CodingKeys: String, CodingKey {
                case appName = "app-name", mainActivity = "main-activity", launcherLabel = "launcher-label"
            }
        }
        var file: String
        var package: String
        var aapt: AAPT
        var androguard: Androguard
    }
    var format: Int
    var apks: [APK]

    static func load() throws -> ExpectedLabels {
        let data = try Data(contentsOf: fixturesDirectory.appendingPathComponent("apk/expected-labels.json"))
        return try JSONDecoder().decode(ExpectedLabels.self, from: data)
    }
}

func apkFixture(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: fixturesDirectory.appendingPathComponent("apk/\(name)")))
}

@Suite struct APKPeerTests {
    @Test func fixturesAreThere() throws {
        let expected = try ExpectedLabels.load()
        #expect(expected.format == 1)
        #expect(expected.apks.map(\.file).sorted() == ["alias.apk", "literal.apk", "localized.apk", "override.apk", "vphone-settings.apk"])
    }

    /// `application-label[-LOCALE]` as aapt prints it, for every locale it prints.
    @Test(arguments: try ExpectedLabels.load().apks.map(\.file))
    func applicationLabelAsAAPT(file: String) throws {
        let expected = try #require(try ExpectedLabels.load().apks.first { $0.file == file })
        let labels = try APKLabels(apk: try apkFixture(file))
        #expect(labels.package == expected.package)
        // aapt prints `application: label=''` when the APK has no resource table (literal labels).
        if !expected.aapt.application.isEmpty { #expect(labels.applicationLabel.value(for: .default) == expected.aapt.application) }
        for (tag, label) in expected.aapt.applicationLabel {
            #expect(labels.applicationLabel.value(for: ResourceLocale(tag: tag)) == label, "application-label-\(tag)")
        }
    }

    /// aapt's launchable activity (name and label), where aapt reports one (it ignores aliases).
    /// aapt prints the activity's own label only; the launcher shows the application's when
    /// it is empty.
    @Test(arguments: try ExpectedLabels.load().apks.map(\.file))
    func launchableActivityAsAAPT(file: String) throws {
        let expected = try #require(try ExpectedLabels.load().apks.first { $0.file == file })
        guard let launchable = expected.aapt.launchableActivity else { return }
        let labels = try APKLabels(apk: try apkFixture(file))
        #expect(labels.launchers.first?.name == launchable.name)
        let shown = launchable.label.isEmpty ? expected.aapt.application : launchable.label
        #expect(labels.label(component: "\(expected.package)/\(launchable.name)", locale: .default) == shown)
    }

    /// The launcher entry's label in every configuration androguard resolves, aliases included.
    @Test(arguments: try ExpectedLabels.load().apks.map(\.file))
    func launcherLabelAsAndroguard(file: String) throws {
        let expected = try #require(try ExpectedLabels.load().apks.first { $0.file == file })
        let labels = try APKLabels(apk: try apkFixture(file))
        let launcher = try #require(labels.launchers.first { $0.name == expected.androguard.mainActivity })
        var ours: [String: String] = [:]
        for (locale, value) in launcher.label { ours[locale.description] = value }
        #expect(ours == expected.androguard.launcherLabel)
        #expect(labels.applicationLabel.value(for: .default) == expected.androguard.appName)
    }

    @Test func localeChoice() throws {
        let labels = try APKLabels(apk: try apkFixture("override.apk"))
        let component = "org.tether.fixture.override/.Main"
        #expect(labels.label(component: component, locale: ResourceLocale(tag: "zh-CN")) == "覆盖主页")
        #expect(labels.label(component: component, locale: ResourceLocale(tag: "zh-Hans-CN")) == "覆盖主页")
        #expect(labels.label(component: component, locale: ResourceLocale(tag: "zh-TW")) == "覆蓋主頁")
        #expect(labels.label(component: component, locale: ResourceLocale(tag: "de-DE")) == "Override Main")
        // Another region of the language before the default (values-zh-rCN for zh-SG).
        #expect(labels.label(component: component, locale: ResourceLocale(tag: "zh-SG")) == "覆盖主页")
        // The non-launcher activity's label is never the launcher's.
        #expect(labels.label(component: nil, locale: .default) == "Override Main")
        let localized = try APKLabels(apk: try apkFixture("localized.apk"))
        #expect(localized.label(component: nil, locale: ResourceLocale(tag: "fr-CA")) == "Notes d\u{2019}essai")
    }
}

@Suite struct VirtualPhoneAPKTests {
    /// Writes every catalog app's APK to $TETHER_EXPORT_VPHONE_APKS (for Scripts/make-apk-fixtures
    /// to check with aapt and androguard); always checks that Tether reads them as the catalog.
    @Test func exportForPeers() throws {
        let catalog = try sharedCatalog.get()
        let export = ProcessInfo.processInfo.environment["TETHER_EXPORT_VPHONE_APKS"].map { URL(fileURLWithPath: $0) }
        if let export { try FileManager.default.createDirectory(at: export, withIntermediateDirectories: true) }
        for app in catalog.apps.values {
            let bytes = APKWriter.apk(package: app.package, activity: app.activity, label: app.label, localizedLabels: app.localizedLabels ?? [:])
            let labels = try APKLabels(apk: bytes)
            #expect(labels.package == app.package)
            #expect(labels.label(component: nil, locale: .default) == app.label)
            for (qualifier, label) in app.localizedLabels ?? [:] {
                let tag = qualifier.replacingOccurrences(of: "-r", with: "-")
                #expect(labels.label(component: "\(app.package)/\(app.activity)", locale: ResourceLocale(tag: tag)) == label)
            }
            if let export { try Data(bytes).write(to: export.appendingPathComponent("\(app.package).apk")) }
        }
    }

    /// The writer still makes the APK aapt and androguard read (the committed copy): the same
    /// manifest and resource table byte for byte, and the same labels.
    @Test func writerMatchesCommittedFixture() throws {
        let app = try #require(try sharedCatalog.get().apps["com.android.settings"])
        let written = APKWriter.apk(package: app.package, activity: app.activity, label: app.label, localizedLabels: app.localizedLabels ?? [:])
        let committed = try apkFixture("vphone-settings.apk")
        let a = try ZipArchive.open(bytes: written), b = try ZipArchive.open(bytes: committed)
        #expect(a.entries.map(\.name) == b.entries.map(\.name))
        for name in ["AndroidManifest.xml", "resources.arsc"] {
            #expect(try a.contents(of: name, in: written) == b.contents(of: name, in: committed), "\(name)")
        }
        #expect(try APKLabels(apk: written) == APKLabels(apk: committed))
    }
}

/// Damaged input: every parser must throw a clear error or return, never trap or hang.
@Suite struct APKRobustnessTests {
    static let files = ["localized.apk", "literal.apk", "override.apk", "alias.apk", "vphone-settings.apk"]

    /// A small deterministic generator (xorshift), so failures reproduce.
    struct Noise {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
    }

    /// Resolves everything a label lookup touches, so damage anywhere is reached.
    static func exercise(apk bytes: [UInt8]) {
        guard let labels = try? APKLabels(apk: bytes) else { return }
        _ = labels.label(component: nil, locale: ResourceLocale(tag: "zh-CN"))
    }

    static func exercise(manifest: [UInt8], resources: [UInt8]?) {
        let info = try? ManifestInfo(manifest: manifest)
        guard let resources, let table = try? ResourceTable(resources) else { return }
        for id in [0x7F01_0000, 0x7F01_0001, 0x7F02_0000, 0x7F02_0001, 0x7F02_0002] as [UInt32] { _ = try? table.localizedString(id) }
        if let info { _ = try? APKLabels(manifest: info, resources: table) }
    }

    @Test(arguments: files) func everyTruncationOfTheAPK(file: String) throws {
        let bytes = try apkFixture(file)
        for length in 0..<bytes.count { Self.exercise(apk: Array(bytes[..<length])) }
        #expect(throws: APKFormatError.self) { try APKLabels(apk: Array(bytes.dropLast(1))) }
    }

    @Test(arguments: files) func everyTruncationOfManifestAndResources(file: String) throws {
        let bytes = try apkFixture(file)
        let zip = try ZipArchive.open(bytes: bytes)
        let manifest = try zip.contents(of: "AndroidManifest.xml", in: bytes)
        let resources = zip.entry("resources.arsc") == nil ? nil : try zip.contents(of: "resources.arsc", in: bytes)
        for length in 0..<manifest.count {
            let cut = Array(manifest[..<length])
            Self.exercise(manifest: cut, resources: resources)
        }
        #expect(throws: APKFormatError.self) { try ManifestInfo(manifest: Array(manifest[..<(manifest.count / 2)])) }
        if let resources {
            for length in 0..<resources.count { Self.exercise(manifest: manifest, resources: Array(resources[..<length])) }
            #expect(throws: APKFormatError.self) { try ResourceTable(Array(resources[..<(resources.count / 2)])) }
        }
    }

    @Test(arguments: files) func randomDamage(file: String) throws {
        let bytes = try apkFixture(file)
        let zip = try ZipArchive.open(bytes: bytes)
        let manifest = try zip.contents(of: "AndroidManifest.xml", in: bytes)
        let resources = zip.entry("resources.arsc") == nil ? nil : try zip.contents(of: "resources.arsc", in: bytes)
        var noise = Noise(state: 0x9E37_79B9_7F4A_7C15 &+ UInt64(bytes.count))
        for _ in 0..<3000 {
            var m = manifest, r = resources
            for _ in 0..<(1 + noise.next() % 4) {
                if noise.next() % 2 == 0 || r == nil {
                    m[Int(noise.next() % UInt64(m.count))] = UInt8(truncatingIfNeeded: noise.next())
                } else if var table = r {
                    table[Int(noise.next() % UInt64(table.count))] = UInt8(truncatingIfNeeded: noise.next())
                    r = table
                }
            }
            Self.exercise(manifest: m, resources: r)
            var apk = bytes
            apk[Int(noise.next() % UInt64(apk.count))] = UInt8(truncatingIfNeeded: noise.next())
            Self.exercise(apk: apk)
        }
    }

    @Test func zipErrorsSayWhatIsWrong() throws {
        let bytes = try apkFixture("override.apk")
        #expect(throws: APKFormatError.badZip("no end of central directory record (is this an APK?)")) {
            try ZipArchive.open(bytes: Array(repeating: 0x41, count: 100))
        }
        // ZIP64: the end record's counts set to 0xFFFF.
        var zip64 = bytes
        let end = zip64.count - 22
        zip64[end + 10] = 0xFF; zip64[end + 11] = 0xFF
        #expect(throws: APKFormatError.zip64) { try ZipArchive.open(bytes: zip64) }
        // A flipped byte in deflated data fails inflate or the CRC check.
        let archive = try ZipArchive.open(bytes: bytes)
        let manifest = try #require(archive.entry("AndroidManifest.xml"))
        #expect(manifest.method == 8)
        var damaged = bytes
        damaged[manifest.localHeaderOffset + 30 + manifest.name.utf8.count + 40] ^= 0x55
        #expect(throws: APKFormatError.self) { try archive.contents(of: "AndroidManifest.xml", in: damaged) }
        #expect(throws: APKFormatError.missingEntry("classes.dex")) { try archive.contents(of: "classes.dex", in: bytes) }
    }
}
