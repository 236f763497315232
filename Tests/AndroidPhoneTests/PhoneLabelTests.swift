import ADB
import AndroidPhone
import Foundation
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
        try await withRig { rig in
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
        try await withRig { rig in
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
        try await withRig(configuration: .oneStreamPerCommand) { rig in
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
        try await withRig { rig in
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
        try await withRig { rig in
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
        try await withRig(configuration: configuration) { rig in
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
        try await withRig(configuration: configuration) { rig in
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
}

