import ADB
import AndroidPhone
import Foundation
import PhoneRig
import Testing
import VirtualPhone

/// Labels read from the virtual phone's APKs over real TCP ADB, with no `appLabels` given.
@Suite struct PhoneLabelTests {
    /// Catalog apps the small-phone profile installs, by package.
    static func installed() throws -> [String: AppDefinition] {
        let catalog = try sharedCatalog.get()
        let profile = try #require(catalog.profiles["small-phone"])
        return Dictionary(uniqueKeysWithValues: profile.apps.compactMap { catalog.apps[$0].map { ($0.package, $0) } })
    }

    @Test func appsReadLabelsFromAPKsInEnglishAndChineseAndCacheThem() async throws {
        let catalog = try Self.installed()
        try await withPhoneRig { rig in
            let before = await rig.phone.roundTrips
            let apps = try await rig.phone.apps()
            let first = await rig.phone.roundTrips - before
            for app in catalog.values {
                let found = try #require(apps.first { $0.package == app.package })
                #expect(found.label == app.label, "\(app.package)")
                #expect(found.labelError == nil)
            }
            // Packages with no launcher entry get no label and no error.
            let systemUI = try #require(apps.first { $0.package == "com.android.systemui" })
            #expect(systemUI.label == nil && systemUI.labelError == nil)

            // The second time: no APK reads, only the batched listing commands.
            let again = await rig.phone.roundTrips
            #expect(try await rig.phone.apps() == apps)
            let second = await rig.phone.roundTrips - again
            #expect(second <= 6, "second apps() took \(second) round trips")
            // The first time: one dd per APK more (the tail read holds the whole of a small APK).
            #expect(first == second + catalog.count, "first apps() took \(first) round trips")

            // Chinese, from the same cache: labels are kept for every locale.
            try await rig.phone.shell("setprop persist.sys.locale zh-CN")
            #expect(try await rig.phone.deviceLocale() == ResourceLocale(language: "zh", region: "CN"))
            let zhStart = await rig.phone.roundTrips
            let chinese = try await rig.phone.apps()
            #expect(await rig.phone.roundTrips - zhStart == second)
            for app in catalog.values {
                let expected = app.localizedLabels?["zh-rCN"] ?? app.label
                #expect(chinese.first { $0.package == app.package }?.label == expected, "\(app.package)")
            }
            #expect(chinese.first { $0.package == "com.android.settings" }?.label == "设置")

            // Launch by the Chinese label, by a full-width / case variant, and by a partial one.
            #expect(try await rig.phone.launch("设置") == "com.android.settings")
            #expect(await rig.device.foreground.package == "com.android.settings")
            #expect(try await rig.phone.launch("通讯录") == "com.android.contacts")
            #expect(await rig.device.foreground.package == "com.android.contacts")
            try await rig.phone.shell("setprop persist.sys.locale en-US")
            #expect(try await rig.phone.launch("ＳＥＴＴＩＮＧＳ") == "com.android.settings")
            #expect(try await rig.phone.launch("Calend") == "com.android.calendar")
        }
    }

    @Test func wholeFilePullWhenDDCannotReadRanges() async throws {
        try await withPhoneRig { rig in
            // An old toybox: dd without iflag=skip_bytes (prints nothing useful).
            let attempts = Counter()
            rig.rules.add("dd ") { _, io in
                _ = await attempts.next()
                try? await io.err("dd: unknown iflag skip_bytes\n")
                return 1
            }
            let apps = try await rig.phone.apps()
            #expect(apps.first { $0.package == "com.android.settings" }?.label == "Settings")
            #expect(apps.first { $0.package == "com.tether.notes" }?.label == "Notes")
            // Tried once per APK read at most in flight, then never again: sync pulls instead.
            let tried = await attempts.value
            #expect(tried >= 1 && tried <= 4)
        }
    }

    @Test func syncStatWhenTheShellHasNoStat() async throws {
        try await withPhoneRig(configuration: .oneStreamPerCommand) { rig in
            // Android 5's toolbox: no stat.
            rig.rules.add("stat ") { _, io in
                try? await io.err("/system/bin/sh: stat: not found\n")
                return 127
            }
            let apps = try await rig.phone.apps()
            #expect(apps.first { $0.package == "com.android.settings" }?.label == "Settings")
            #expect(apps.first { $0.package == "com.android.contacts" }?.labelError == nil)
        }
    }

    @Test func aDamagedAPKCostsOnlyItsOwnLabel() async throws {
        try await withPhoneRig { rig in
            let notes = rig.device.root.appendingPathComponent(String(VirtualPhone.apkPath("com.tether.notes").dropFirst()))
            try Data(repeating: 0x5A, count: 4000).write(to: notes)
            let shop = rig.device.root.appendingPathComponent(String(VirtualPhone.apkPath("com.tether.shop").dropFirst()))
            try FileManager.default.removeItem(at: shop)
            let apps = try await rig.phone.apps()
            let broken = try #require(apps.first { $0.package == "com.tether.notes" })
            #expect(broken.label == nil)
            #expect(broken.labelError?.contains("no end of central directory record") == true)
            let missing = try #require(apps.first { $0.package == "com.tether.shop" })
            #expect(missing.label == nil)
            #expect(missing.labelError?.contains("cannot stat") == true)
            #expect(apps.first { $0.package == "com.android.settings" }?.label == "Settings")
            // Still launchable by package; the label now means nothing.
            #expect(try await rig.phone.launch("com.tether.notes") == "com.tether.notes")
            await #expect(throws: PhoneError.self) { try await rig.phone.launch("Notes") }
        }
    }

    @Test func anUpdatedAPKIsReadAgain() async throws {
        try await withPhoneRig { rig in
            #expect(try await rig.phone.apps().first { $0.package == "com.android.contacts" }?.label == "Contacts")
            let apk = rig.device.root.appendingPathComponent(String(VirtualPhone.apkPath("com.android.contacts").dropFirst()))
            let update = APKWriter.apk(package: "com.android.contacts", activity: ".activities.PeopleActivity", label: "Contacts Plus")
            try Data(update).write(to: apk)
            let before = await rig.phone.roundTrips
            #expect(try await rig.phone.apps().first { $0.package == "com.android.contacts" }?.label == "Contacts Plus")
            // Only that APK is read again: one dd (it is smaller than the tail read), after the
            // listing commands (pm list, resolve-activity, pm path, stat, getprop: 6 here).
            #expect(await rig.phone.roundTrips - before <= 7)
        }
    }

    @Test func aHangingBatchCommandCostsTheLabelsNotTheList() async throws {
        var configuration = Phone.Configuration.oneStreamPerCommand
        configuration.commandTimeout = .milliseconds(500)
        try await withPhoneRig(configuration: configuration) { rig in
            rig.rules.add("stat ") { _, _ in
                try? await Task.sleep(for: .seconds(5))
                return 0
            }
            let apps = try await rig.phone.apps()
            let settings = try #require(apps.first { $0.package == "com.android.settings" })
            #expect(settings.launcherActivity == "com.android.settings/.Settings")
            #expect(settings.label == nil)
            #expect(settings.labelError?.contains("did not answer") == true, "\(settings.labelError ?? "")")
            // Launch by package still works.
            #expect(try await rig.phone.launch("com.android.settings") == "com.android.settings")
        }
    }

    @Test func overridesAndTheDiskCache() async throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("tether-label-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        var configuration = Phone.Configuration()
        configuration.labelCacheDirectory = cache
        configuration.appLabels = ["com.android.settings": "My Settings"]
        try await withPhoneRig(configuration: configuration) { rig in
            let apps = try await rig.phone.apps()
            #expect(apps.first { $0.package == "com.android.settings" }?.label == "My Settings")
            #expect(apps.first { $0.package == "com.android.contacts" }?.label == "Contacts")
            let file = cache.appendingPathComponent("app-labels.json")
            let saved = try String(contentsOf: file, encoding: .utf8)
            #expect(saved.contains(#""zh-CN":"通讯录""#) && saved.contains(#""":"Contacts""#))
            // A new Phone (a new run) on the same phone reads no APK: only listing commands.
            let fresh = Phone(target: rig.connection, configuration: configuration)
            #expect(try await fresh.apps() == apps)
            #expect(await fresh.roundTrips <= 6)
            await fresh.close()
            // A damaged cache file is ignored (and replaced), not fatal.
            try Data("{not json".utf8).write(to: file)
            let third = Phone(target: rig.connection, configuration: configuration)
            #expect(try await third.apps() == apps)
            #expect(await third.roundTrips > 6)
            await third.close()
            #expect(try String(contentsOf: file, encoding: .utf8).contains(#""zh-CN":"通讯录""#))
        }
    }

    /// A rig whose phone keeps its label cache in a temporary directory: the configuration,
    /// the cache file and the rig.
    func withLabelCache(_ body: (Phone.Configuration, URL, PhoneRig) async throws -> Void) async throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("tether-label-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        var configuration = Phone.Configuration()
        configuration.labelCacheDirectory = cache
        try await withPhoneRig(configuration: configuration) { rig in
            try await body(configuration, cache.appendingPathComponent("app-labels.json"), rig)
        }
    }

    /// The entries of the label cache file, by key: (used, the JSON of the labels).
    static func cacheEntries(_ file: URL) throws -> [String: [String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
        return try #require(object?["entries"] as? [String: [String: Any]])
    }

    static func writeCache(_ file: URL, format: Int, entries: [String: Any]) throws {
        try JSONSerialization.data(withJSONObject: ["format": format, "entries": entries]).write(to: file)
    }

    /// Uninstalled apps, superseded versions and phones long gone leave the cache: entries
    /// unused for `labelCacheMaxAge` go, and at most `labelCacheMaxEntries` stay. Labels in use
    /// are written down as used, so they never age out; the first format is still read.
    @Test func theDiskCacheForgetsWhatNobodyUses() async throws {
        let installed = try Self.installed()
        try await withLabelCache { configuration, file, rig in
            let apps = try await rig.phone.apps()
            let saved = try Self.cacheEntries(file)
            #expect(saved.count == installed.count)
            let now = Date().timeIntervalSince1970
            for entry in saved.values { #expect(abs((entry["used"] as? Double ?? 0) - now) < 600) }

            // Another run, 40 days on: every current entry last used 2 days ago, and one for an
            // app that is gone, last used 40 days ago.
            let day = 24 * 3600.0
            var aged = saved.mapValues { entry -> [String: Any] in
                var entry = entry
                entry["used"] = now - 2 * day
                return entry
            }
            let template = try #require(saved.values.first)
            aged["com.gone.app\n/data/app/com.gone.app-1/base.apk\n100\n1"] = ["labels": template["labels"]!, "used": now - 40 * day]
            try Self.writeCache(file, format: 2, entries: aged)
            let later = Phone(target: rig.connection, configuration: configuration)
            #expect(try await later.apps() == apps)
            #expect(await later.roundTrips <= 6, "no APK is read again")
            await later.close()
            let trimmed = try Self.cacheEntries(file)
            #expect(trimmed.count == installed.count)
            #expect(!trimmed.keys.contains { $0.hasPrefix("com.gone.app\n") })
            for entry in trimmed.values { #expect(abs((entry["used"] as? Double ?? 0) - now) < 600, "a use is written down") }

            // The first format (labels only) is read, and rewritten in the second.
            var legacy: [String: Any] = [:]
            for (key, entry) in trimmed { legacy[key] = entry["labels"] }
            try Self.writeCache(file, format: 1, entries: legacy)
            var small = configuration
            small.labelCacheMaxEntries = 3
            let capped = Phone(target: rig.connection, configuration: small)
            #expect(try await capped.apps() == apps)
            #expect(await capped.roundTrips <= 6, "the first format's labels are used")
            // An update makes it save: now only the 3 most recently used stay, the updated APK
            // among them.
            let apk = rig.device.root.appendingPathComponent(String(VirtualPhone.apkPath("com.android.contacts").dropFirst()))
            try Data(APKWriter.apk(package: "com.android.contacts", activity: ".activities.PeopleActivity", label: "Contacts Plus")).write(to: apk)
            #expect(try await capped.apps().first { $0.package == "com.android.contacts" }?.label == "Contacts Plus")
            await capped.close()
            let few = try Self.cacheEntries(file)
            #expect(few.count == 3)
            #expect(few.keys.contains { $0.hasPrefix("com.android.contacts\n") })
        }
    }

    /// Two processes sharing the cache file: a save keeps what the other wrote meanwhile.
    @Test func aSaveKeepsWhatAnotherProcessWrote() async throws {
        try await withLabelCache { _, file, rig in
            _ = try await rig.phone.apps()
            // Another process adds another phone's Settings.
            var entries = try Self.cacheEntries(file)
            let template = try #require(entries.first { $0.key.hasPrefix("com.android.settings\n") }?.value)
            let other = "com.android.settings\n/system/priv-app/Settings/Settings.apk\n999\n7"
            entries[other] = ["labels": template["labels"]!, "used": Date().timeIntervalSince1970]
            try Self.writeCache(file, format: 2, entries: entries)
            // This process reads an updated APK and saves.
            let apk = rig.device.root.appendingPathComponent(String(VirtualPhone.apkPath("com.android.contacts").dropFirst()))
            try Data(APKWriter.apk(package: "com.android.contacts", activity: ".activities.PeopleActivity", label: "Contacts Plus")).write(to: apk)
            _ = try await rig.phone.apps()
            let merged = try Self.cacheEntries(file)
            #expect(merged.keys.contains(other))
            #expect(merged.keys.contains { $0.hasPrefix("com.android.contacts\n") })
        }
    }
}
