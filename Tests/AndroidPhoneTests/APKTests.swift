import Basics
import AndroidPhone
import Foundation
import PhoneRig
import TetherTestSupport
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

    @Test(arguments: files) func randomDamage(file: String) async throws {
        let bytes = try apkFixture(file)
        // Seconds of parsing: on a thread of its own, so parallel suites keep their threads.
        try await ComputeThread.run { _ in try Self.damage(bytes) }
    }

    static func damage(_ bytes: [UInt8]) throws {
        let zip = try ZipArchive.open(bytes: bytes)
        let manifest = try zip.contents(of: "AndroidManifest.xml", in: bytes)
        let resources = zip.entry("resources.arsc") == nil ? nil : try zip.contents(of: "resources.arsc", in: bytes)
        var noise = SplitMix64(seed: testSeed &+ UInt64(bytes.count))
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

/// Entry encodings newer build tools emit (aapt2 `--enable-sparse-encoding`, Android 13's offset16,
/// Android 14's compact entries), which Debian's aapt cannot make: tables built here, byte by byte
/// from ResourceTypes.h's layouts.
@Suite struct ResourceEncodingTests {
    enum Encoding { case dense, offset16, sparse }

    static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
    static func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16((v >> 16) & 0xFFFF) }
    static func chunk(_ type: Int, headerSize: Int, header: [UInt8], body: [UInt8]) -> [UInt8] {
        le16(type) + le16(headerSize) + le32(8 + header.count + body.count) + header + body
    }
    static func pool(_ strings: [String]) -> [UInt8] {
        var data: [UInt8] = [], offsets: [UInt8] = []
        for s in strings {
            offsets += le32(data.count)
            data += [UInt8(s.utf16.count), UInt8(s.utf8.count)] + Array(s.utf8) + [0]
        }
        while data.count % 4 != 0 { data.append(0) }
        let header = le32(strings.count) + le32(0) + le32(0x100) + le32(28 + 4 * strings.count) + le32(0)
        return chunk(1, headerSize: 28, header: header, body: offsets + data)
    }

    /// One package (0x7f), type 1 "string", entries by index: a string, or a reference to
    /// another entry; `compact` entries use FLAG_COMPACT. One default configuration.
    static func table(_ entries: [Int: ResourceValue], encoding: Encoding, compact: Set<Int> = []) -> [UInt8] {
        let strings = entries.keys.sorted().compactMap { if case .string(let s) = entries[$0] { s } else { nil } }
        let count = (entries.keys.max() ?? 0) + 1
        var offsets: [UInt8] = [], blobs: [UInt8] = []
        var at: [Int: Int] = [:]
        for index in entries.keys.sorted() {
            at[index] = blobs.count
            let (type, data): (Int, Int)
            switch entries[index] {
            case .string(let s)?: (type, data) = (3, strings.firstIndex(of: s) ?? 0)
            case .reference(let id)?: (type, data) = (1, Int(id))
            default: (type, data) = (0, 0)
            }
            if compact.contains(index) {
                blobs += le16(index) + le16(0x0008 | type << 8) + le32(data)
            } else {
                blobs += le16(8) + le16(0) + le32(index) + le16(8) + [0, UInt8(type)] + le32(data)
            }
        }
        var entryCount = count
        switch encoding {
        case .dense: for i in 0..<count { offsets += at[i].map { le32($0) } ?? le32(0xFFFF_FFFF) }
        case .offset16: for i in 0..<count { offsets += at[i].map { le16($0 / 4) } ?? le16(0xFFFF) }
        case .sparse:
            for i in entries.keys.sorted() { offsets += le16(i) + le16(at[i, default: 0] / 4) }
            entryCount = entries.count
        }
        while offsets.count % 4 != 0 { offsets.append(0) }
        let flags: UInt8 = encoding == .sparse ? 1 : encoding == .offset16 ? 2 : 0
        var config = [UInt8](repeating: 0, count: 64)
        config[0] = 64
        let typeHeader = [1, flags] + le16(0) + le32(entryCount) + le32(20 + 64 + offsets.count) + config
        let type = chunk(0x0201, headerSize: 20 + 64, header: typeHeader, body: offsets + blobs)
        let typePool = pool(["string"]), keyPool = pool((0..<count).map { "k\($0)" })
        var name = [UInt8](repeating: 0, count: 256)
        name[0] = 0x61
        let packageHeader = le32(0x7F) + name + le32(288) + le32(1) + le32(288 + typePool.count) + le32(count) + le32(0)
        let package = chunk(0x0200, headerSize: 288, header: packageHeader, body: typePool + keyPool + type)
        return chunk(2, headerSize: 12, header: le32(1), body: pool(strings) + package)
    }

    @Test(arguments: [Encoding.dense, .offset16, .sparse])
    func entriesByIndexInEveryEncoding(encoding: Encoding) throws {
        let entries: [Int: ResourceValue] = [
            0: .string("zero"), 3: .string("three"), 7: .reference(0x7F01_0003),
            9: .string("nine"), 12: .reference(0x7F01_0007), 13: .reference(0x7F01_000D)
        ]
        let table = try ResourceTable(Self.table(entries, encoding: encoding, compact: [9]))
        #expect(try table.localizedString(0x7F01_0000) == [.default: "zero"])
        #expect(try table.localizedString(0x7F01_0003) == [.default: "three"])
        #expect(try table.localizedString(0x7F01_0009) == [.default: "nine"], "a compact entry")
        #expect(try table.localizedString(0x7F01_0007) == [.default: "three"], "a reference")
        #expect(try table.localizedString(0x7F01_000C) == [.default: "three"], "a reference to a reference")
        for missing: UInt32 in [0x7F01_0001, 0x7F01_0002, 0x7F01_0008, 0x7F01_00FF, 0x7F02_0000, 0x0101_0000] {
            #expect(try table.localizedString(missing).isEmpty)
        }
        #expect(throws: APKFormatError.self) { try table.localizedString(0x7F01_000D) }  // refers to itself
    }
}

/// Ranged reads as a large APK needs them: the directory outside the tail, entries outside it.
@Suite struct ZipRangedReadTests {
    actor Reads {
        var ranges: [Range<Int>] = []
        func add(_ r: Range<Int>) { ranges.append(r) }
    }

    @Test(arguments: APKRobustnessTests.files) func rangedReadsMatchTheWholeFile(file: String) async throws {
        let bytes = try apkFixture(file)
        let whole = try ZipArchive.open(bytes: bytes)
        let reads = Reads()
        let reader: ZipArchive.RangeReader = { offset, count in
            await reads.add(offset..<offset + count)
            return Array(bytes[offset..<min(bytes.count, offset + count)])
        }
        // Only the end record in the tail: the directory is a read of its own.
        let ranged = try await ZipArchive.open(size: bytes.count, tailSize: ZipArchive.endRecordSize, read: reader)
        #expect(ranged.entries == whole.entries)
        #expect(await reads.ranges.count == 2)
        for entry in whole.entries {
            #expect(try await ranged.contents(of: entry.name, read: reader) == whole.contents(of: entry.name, in: bytes))
        }
        // Each entry is one read (its local header, extra field and data), never the whole file.
        let all = await reads.ranges
        #expect(all.count == 2 + whole.entries.count)
        #expect(all.dropFirst(2).map(\.lowerBound) == whole.entries.map(\.localHeaderOffset))
        for (range, entry) in zip(all.dropFirst(2), whole.entries) {
            #expect(range.count <= 30 + entry.name.utf8.count + 256 + entry.compressedSize)
        }
        // A reader that returns short data is an error, not a crash.
        let short: ZipArchive.RangeReader = { offset, count in Array(bytes[offset..<min(bytes.count, offset + count / 2)]) }
        await #expect(throws: APKFormatError.self) { try await ZipArchive.open(size: bytes.count, read: short) }
    }
}
