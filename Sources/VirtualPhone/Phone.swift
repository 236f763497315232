import Foundation
import Imaging
import Logging

/// One screen in an app's back stack.
struct ActivityEntry: Sendable {
    var package: String
    var screen: String
    var params: [String: JSON]
    var form: [String: String] = [:]
    var scroll: Int = 0
    var focus: String?
    /// A stable number for dumpsys's ActivityRecord{…}.
    var token: Int
}

/// A task: an app's back stack.
struct TaskRecord: Sendable {
    var id: Int
    var package: String
    var entries: [ActivityEntry]
}

/// An intent as `am start` and apps build it.
public struct Intent: Sendable, Equatable {
    public var action: String?
    public var data: String?
    public var type: String?
    public var component: String?
    public var package: String?
    public var categories: [String] = []
    public var extras: [String: JSON] = [:]

    public init(action: String? = nil, data: String? = nil, type: String? = nil, component: String? = nil,
                package: String? = nil, categories: [String] = [], extras: [String: JSON] = [:]) {
        self.action = action
        self.data = data
        self.type = type
        self.component = component
        self.package = package
        self.categories = categories
        self.extras = extras
    }

    /// As `am` prints it: `Intent { act=… dat=… typ=… cmp=… (has extras) }`.
    public var description: String {
        var parts: [String] = []
        if let action { parts.append("act=\(action)") }
        if !categories.isEmpty { parts.append("cat=[\(categories.joined(separator: ","))]") }
        if let data { parts.append("dat=\(data)") }
        if let type { parts.append("typ=\(type)") }
        if let package, component == nil { parts.append("pkg=\(package)") }
        if let component { parts.append("cmp=\(component)") }
        if !extras.isEmpty { parts.append("(has extras)") }
        return "Intent { \(parts.joined(separator: " ")) }"
    }
}

/// One input event as the kernel reports it (for getevent).
public struct InputEvent: Sendable, Equatable {
    public var time: Double
    public var device: Int
    public var type: UInt16
    public var code: UInt16
    public var value: Int32
}

/// A simulated Android phone: apps, a window manager, input and a framebuffer. Serve it over ADB
/// with `VirtualPhoneServer`; drive it from tests through the control API (`touchDown` …) as a
/// person would.
public actor VirtualPhone {
    public nonisolated let profile: DeviceProfile
    public nonisolated let serialNumber: String
    public nonisolated let seed: UInt64
    /// The phone's file system root on the host (/sdcard, /data/data/PACKAGE, …).
    public nonisolated let root: URL
    let catalog: DeviceCatalog
    let logger: Logger
    let text: TextRenderer
    let scale: Double

    var states: [String: JSON] = [:]
    var dirty: Set<String> = []
    var tasks: [TaskRecord] = []
    var nextToken = 1
    var nextTaskId = 100
    var toast: String?
    var shadeOpen = false
    var shifted = false
    var settings: [String: [String: String]] = ["system": [:], "secure": [:], "global": [:]]
    /// Properties set with `setprop` (persist.sys.locale …), over the profile's.
    var propertyOverrides: [String: String] = [:]
    var enabledIMEs: [String]
    var currentIME: String
    var clockTicks = 0
    let baseTime: Double
    let started = Date()
    let bootUptime: Double
    var lastTap: (x: Int, y: Int, time: Double)?
    var touch: (x: Int, y: Int, startX: Int, startY: Int, start: Double, id: Int)?
    var nextTrackingId = 0x1a0
    /// The display's rotation in quarter turns (0–3), as `dumpsys input` reports it. Only what
    /// the phone reports turns: the frame stays in the natural (portrait) layout, like an app that
    /// keeps portrait while the system turns, and touches are given in natural coordinates.
    public private(set) var rotation = 0
    /// Screen on, lock screen showing, its PIN (nil: swipe to unlock), and the PIN typed so far
    /// while the PIN entry (the bouncer) shows. See Keyguard.swift.
    public internal(set) var awake = true
    public internal(set) var keyguardShowing = false
    var lockPIN: String?
    var bouncerEntry: String?
    /// How long ADB Keyboard takes, after it is selected, to create its input view — which is
    /// when it registers its broadcast receiver (AdbIME.onCreateInputView). Broadcasts before
    /// that reach no one, as on a phone.
    public var imeAttachDelay: Double = 0
    var imeSelectedAt: Double = 0
    var subscribers: [UUID: AsyncStream<InputEvent>.Continuation] = [:]
    var frameCache: (version: Int, image: Image)?
    var layoutCache: (version: Int, frame: Frame)?
    var version = 0
    var lastGesture: String = ""

    public static let launcherPackage = "com.android.launcher3"
    public static let latinIME = "com.android.inputmethod.latin/.LatinIME"
    public static let adbIME = "com.android.adbkeyboard/.AdbIME"

    /// Makes a phone from a catalog profile. `root` holds its files (a fresh temporary directory
    /// when nil). The same seed gives the same phone.
    public init(catalog: DeviceCatalog, profile name: String, seed: UInt64 = 1, index: Int = 0, root: URL? = nil,
                task: TaskDefinition? = nil, logger: Logger = Logger(label: "tether.vphone")) throws(VirtualPhoneError) {
        guard let profile = catalog.profiles[name] else {
            throw .notFound("no profile \"\(name)\"; known: \(catalog.profiles.keys.sorted().joined(separator: ", "))")
        }
        self.profile = profile
        self.catalog = catalog
        self.seed = seed
        self.logger = logger
        self.serialNumber = String(format: "VP%06llX%02d", seed & 0xFFFFFF, index)
        self.text = try TextRenderer()
        self.scale = Double(profile.density) / 160
        var rng = SeededGenerator(seed: seed &+ 0x9E37_79B9)
        // 2024-05-06 09:00 UTC plus up to a week, per seed.
        self.baseTime = 1_714_986_000 + Double(rng.next() % (7 * 24)) * 3600
        self.bootUptime = 3000 + Double(rng.next() % 50_000)
        let rootURL = root ?? FileManager.default.temporaryDirectory.appendingPathComponent("tether-vphone-\(UUID().uuidString)")
        self.root = rootURL
        let adbInstalled = profile.systemPackages?.contains("com.android.adbkeyboard") ?? false
        self.enabledIMEs = [Self.latinIME] + (adbInstalled ? [Self.adbIME] : [])
        self.currentIME = Self.latinIME
        for dir in ["sdcard", "sdcard/Download", "sdcard/Pictures", "data/local/tmp", "data/data", "system/bin"] {
            try? FileManager.default.createDirectory(at: rootURL.appendingPathComponent(dir), withIntermediateDirectories: true)
        }
        for pkg in profile.apps {
            guard let app = catalog.apps[pkg] else { continue }
            Self.installAPK(app, root: rootURL, logger: logger)
            var state = app.state
            for filler in app.filler ?? [] {
                Self.fill(&state, filler, rng: &rng)
            }
            if let setup = task?.setup?[pkg] { state = state.merged(with: setup) }
            states[pkg] = state
            dirty.insert(pkg)
        }
        tasks = [TaskRecord(id: 1, package: Self.launcherPackage, entries: [])]
        if let launcher = catalog.apps[Self.launcherPackage] {
            tasks[0].entries = [ActivityEntry(package: launcher.package, screen: launcher.launchScreen, params: [:], token: 0)]
        }
        settings["secure"]?["default_input_method"] = currentIME.replacingOccurrences(of: "/.", with: "/com.android.inputmethod.latin.")
        settings["secure"]?["enabled_input_methods"] = enabledIMEs.joined(separator: ":")
        settings["system"]?["screen_off_timeout"] = "60000"
        settings["global"]?["adb_enabled"] = "1"
        settings["global"]?["device_name"] = profile.properties["ro.product.model"] ?? profile.name
        Self.write(states, root: rootURL, logger: logger)
        dirty.removeAll()
    }

    // MARK: - APKs

    /// Where `pm path` says an app's APK is.
    public static func apkPath(_ package: String) -> String { "/system/app/\(package)/\(package).apk" }

    /// Writes the app's APK (manifest + resources with its labels) where `pm path` points, so
    /// that `stat`, `dd`, `cat` and sync pulls find a real file there.
    static func installAPK(_ app: AppDefinition, root: URL, logger: Logger) {
        let url = root.appendingPathComponent(String(apkPath(app.package).dropFirst()))
        let bytes = APKWriter.apk(package: app.package, activity: app.activity, label: app.label, localizedLabels: app.localizedLabels ?? [:])
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        } catch {
            logger.warning("cannot write APK", metadata: ["path": "\(url.path)", "error": "\(error)"])
        }
    }

    // MARK: - Seeded filler

    static let firstNames = ["Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "Lucas", "Mia", "Mason", "Isabella",
                             "Ethan", "Harper", "Logan", "Evelyn", "James", "Abigail", "Henry", "Ella", "Jack", "Grace", "Leo",
                             "Chloe", "Owen", "Zoe", "Wyatt", "Nora", "Caleb", "Lily", "Ryan"]
    static let lastNames = ["Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson",
                            "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris",
                            "Clark", "Lewis", "Walker", "Young", "King"]

    static func fill(_ state: inout JSON, _ filler: Filler, rng: inout SeededGenerator) {
        var items = state.value(at: filler.collection)?.arrayValue ?? []
        var nextId = (items.compactMap { $0["id"]?.numberValue }.max() ?? 0) + 1
        var used = Set(items.compactMap { $0["name"]?.text })
        var made = 0
        var attempts = 0
        while made < filler.count, attempts < filler.count * 20 {
            attempts += 1
            let first = firstNames[Int(rng.next() % UInt64(firstNames.count))]
            let last = lastNames[Int(rng.next() % UInt64(lastNames.count))]
            let name = "\(first) \(last)"
            guard used.insert(name).inserted else { continue }
            let number = String(format: "+1555%03d%04d", 200 + Int(rng.next() % 700), Int(rng.next() % 10000))
            items.append(.object([
                "id": .number(nextId), "name": .string(name), "phone": .string(number),
                "email": .string("\(first.lowercased()).\(last.lowercased())@example.com"),
            ]))
            nextId += 1
            made += 1
        }
        state.set(.array(items), at: StatePath(filler.collection))
    }

    // MARK: - State

    /// An app's state (what /data/data/PACKAGE/state.json holds).
    public func state(of package: String) -> JSON? { states[package] }

    /// Every app's state, by package.
    public var allStates: [String: JSON] { states }

    /// Replaces an app's state (tests and task setups).
    public func setState(_ state: JSON, of package: String) {
        states[package] = state
        dirty.insert(package)
        changed()
    }

    func changed() {
        version += 1
        flushSync()
    }

    /// Writes changed app states to /data/data/PACKAGE/state.json.
    func flushSync() {
        Self.write(states.filter { dirty.contains($0.key) }, root: root, logger: logger)
        dirty.removeAll()
    }

    static func write(_ states: [String: JSON], root: URL, logger: Logger) {
        for (pkg, state) in states {
            let dir = root.appendingPathComponent("data/data/\(pkg)")
            try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let url = dir.appendingPathComponent("state.json")
            do { try Data(state.prettyText.utf8).write(to: url, options: .atomic) } catch {
                logger.warning("cannot write app state", metadata: ["path": "\(url.path)", "error": "\(error)"])
            }
        }
    }

    /// Removes the phone's files.
    public func removeFiles() {
        try? FileManager.default.removeItem(at: root)
    }

    var darkMode: Bool { states["com.android.settings"]?["dark_mode"]?.truthy ?? false }

    /// Virtual wall-clock time in seconds since 1970: advances a minute per user action.
    var now: Double { baseTime + Double(clockTicks) * 60 }

    /// CLOCK_MONOTONIC as the phone sees it.
    var uptime: Double { bootUptime + Date().timeIntervalSince(started) }

    // MARK: - Window manager

    var topTask: TaskRecord? { tasks.last }
    var topEntry: ActivityEntry? { tasks.last?.entries.last }

    public struct Foreground: Sendable, Equatable {
        public var package: String
        /// Full class name, e.g. com.android.settings.Settings.
        public var activity: String
        public var screen: String
    }

    /// The resumed activity.
    public var foreground: Foreground {
        guard let entry = topEntry else { return Foreground(package: Self.launcherPackage, activity: "", screen: "") }
        return Foreground(package: entry.package, activity: activityName(entry), screen: entry.screen)
    }

    func activityName(_ entry: ActivityEntry) -> String {
        guard let app = catalog.apps[entry.package] else { return "" }
        let activity = app.screen(entry.screen)?.activity ?? app.activity
        return Self.fullClass(activity, package: entry.package)
    }

    static func fullClass(_ activity: String, package: String) -> String {
        activity.hasPrefix(".") ? package + activity : activity
    }

    static func shortClass(_ full: String, package: String) -> String {
        full.hasPrefix(package + ".") ? String(full.dropFirst(package.count)) : full
    }

    func makeEntry(app: AppDefinition, screen: String, params: [String: JSON]) -> ActivityEntry {
        var entry = ActivityEntry(package: app.package, screen: screen, params: params, token: nextToken)
        nextToken += 1
        // First values of the screen's fields.
        if let def = app.screen(screen) {
            let ctx = context(for: entry, app: app)
            for widget in def.widgets where widget.type == .field {
                if let field = widget.field { entry.form[field] = widget.value.map { Template.render($0, ctx) } ?? "" }
            }
        }
        return entry
    }

    /// The template context of a screen: the app state plus `param`, `form`, bindings, `now`.
    func context(for entry: ActivityEntry, app: AppDefinition) -> JSON {
        var ctx = states[app.package]?.objectValue ?? [:]
        ctx["param"] = .object(entry.params)
        ctx["form"] = .object(entry.form.mapValues { .string($0) })
        ctx["now"] = .number(now * 1000)
        ctx["package"] = .string(app.package)
        if let contacts = states["com.android.contacts"]?["contacts"]?.arrayValue {
            var names: [String: JSON] = [:]
            for c in contacts { if let p = c["phone"]?.text, let n = c["name"] { names[TaskCheck.normalized(p)] = n } }
            ctx["_names"] = .object(names)
        }
        let base = JSON.object(ctx)
        for (name, binding) in app.screen(entry.screen)?.bindings ?? [:] {
            let want = Template.render(binding.equals, base)
            let key = binding.key ?? "id"
            let found = base.value(at: binding.collection)?.arrayValue?.first { $0[key]?.text == want }
            ctx[name] = found ?? .null
        }
        return .object(ctx)
    }

    func bringToFront(_ index: Int) {
        let task = tasks.remove(at: index)
        tasks.append(task)
    }

    /// Opens an app as the launcher does: its task comes to the front, or a new task starts.
    @discardableResult
    public func launch(_ package: String) -> Bool {
        guard let app = catalog.apps[package], profile.apps.contains(package) || package == Self.launcherPackage else { return false }
        shadeOpen = false
        if let i = tasks.firstIndex(where: { $0.package == package }) {
            bringToFront(i)
            if package == Self.launcherPackage {
                tasks[tasks.count - 1].entries = Array(tasks[tasks.count - 1].entries.prefix(1))
            }
        } else {
            tasks.append(TaskRecord(id: nextTaskId, package: package, entries: [makeEntry(app: app, screen: app.launchScreen, params: [:])]))
            nextTaskId += 1
        }
        unfocus()
        changed()
        return true
    }

    /// Pushes a screen of an app onto its task (starting the task when needed).
    func push(package: String, screen: String, params: [String: JSON], replace: Bool = false) {
        guard let app = catalog.apps[package], app.screen(screen) != nil else {
            logger.warning("no such screen", metadata: ["package": "\(package)", "screen": "\(screen)"])
            return
        }
        let entry = makeEntry(app: app, screen: screen, params: params)
        if let i = tasks.lastIndex(where: { $0.package == package }) {
            bringToFront(i)
            if replace, tasks[tasks.count - 1].entries.count > 0 { tasks[tasks.count - 1].entries.removeLast() }
            tasks[tasks.count - 1].entries.append(entry)
        } else {
            tasks.append(TaskRecord(id: nextTaskId, package: package, entries: [entry]))
            nextTaskId += 1
        }
        changed()
    }

    func unfocus() {
        guard !tasks.isEmpty, !(tasks[tasks.count - 1].entries.isEmpty) else { return }
        let last = tasks[tasks.count - 1].entries.count - 1
        tasks[tasks.count - 1].entries[last].focus = nil
    }

    public func pressBack() {
        toast = nil
        defer { changed() }
        if shadeOpen { shadeOpen = false; return }
        if topEntry?.focus != nil { unfocus(); return }
        guard var task = tasks.popLast() else { return }
        if task.entries.count > 1 {
            task.entries.removeLast()
            tasks.append(task)
        } else if task.package == Self.launcherPackage {
            tasks.append(task)
        } else if let launcher = tasks.firstIndex(where: { $0.package == Self.launcherPackage }) {
            // Back from a task's root returns home, as on Android 12+.
            bringToFront(launcher)
            tasks.insert(task, at: 0)
        }
    }

    public func pressHome() {
        toast = nil
        shadeOpen = false
        unfocus()
        if let i = tasks.firstIndex(where: { $0.package == Self.launcherPackage }) {
            bringToFront(i)
            tasks[tasks.count - 1].entries = Array(tasks[tasks.count - 1].entries.prefix(1))
            let last = tasks.count - 1
            if !tasks[last].entries.isEmpty { tasks[last].entries[0].scroll = 0 }
        }
        changed()
    }

    // MARK: - Intents

    public enum StartResult: Sendable, Equatable {
        case started(package: String, activity: String)
        case broughtToFront(package: String, activity: String)
        case unresolved
        case noSuchActivity(String)
    }

    /// Starts an activity as `am start` does.
    public func start(_ intent: Intent) -> StartResult {
        clockTicks += 1
        defer { flushSync() }
        if let component = intent.component {
            let parts = component.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, let app = catalog.apps[parts[0]], profile.apps.contains(parts[0]) else {
                return .noSuchActivity(component)
            }
            let activity = Self.fullClass(parts[1], package: app.package)
            if Self.fullClass(app.activity, package: app.package) == activity {
                let existed = tasks.contains { $0.package == app.package }
                launch(app.package)
                let fg = foreground
                if let params = intentParams(intent, filterParams: nil), !intent.extras.isEmpty, !existed {
                    _ = params
                }
                return existed ? .broughtToFront(package: fg.package, activity: fg.activity) : .started(package: fg.package, activity: fg.activity)
            }
            guard let screen = app.screens.first(where: { $0.activity.map { Self.fullClass($0, package: app.package) } == activity }) else {
                return .noSuchActivity(component)
            }
            push(package: app.package, screen: screen.id, params: intentParams(intent, filterParams: nil) ?? [:])
            return .started(package: app.package, activity: activity)
        }
        if intent.action == nil || intent.action == "android.intent.action.MAIN", intent.data == nil,
            let pkg = intent.package, catalog.apps[pkg] != nil, profile.apps.contains(pkg)
        {
            launch(pkg)
            return .started(package: foreground.package, activity: foreground.activity)
        }
        if intent.action == "android.intent.action.MAIN", intent.categories.contains("android.intent.category.HOME") {
            pressHome()
            return .started(package: foreground.package, activity: foreground.activity)
        }
        guard let (app, filter) = resolve(intent) else { return .unresolved }
        let params = intentParams(intent, filterParams: filter.params) ?? [:]
        if let actions = filter.actions {
            var ctx = states[app.package]?.objectValue ?? [:]
            ctx["param"] = .object(params)
            ctx["now"] = .number(now * 1000)
            perform(actions, package: app.package, context: .object(ctx))
        }
        push(package: app.package, screen: filter.screen, params: params)
        return .started(package: app.package, activity: foreground.activity)
    }

    func resolve(_ intent: Intent) -> (AppDefinition, IntentFilter)? {
        let scheme = intent.data.flatMap { d in d.firstIndex(of: ":").map { String(d[..<$0]).lowercased() } }
        let host = intent.data.flatMap { URLComponents(string: $0)?.host }
        for pkg in profile.apps {
            guard let app = catalog.apps[pkg] else { continue }
            if let p = intent.package, p != pkg { continue }
            for filter in app.intents ?? [] where filter.action == intent.action {
                if filter.scheme != scheme { continue }
                if let h = filter.host, h != host { continue }
                if filter.type != intent.type { continue }
                return (app, filter)
            }
        }
        return nil
    }

    func intentParams(_ intent: Intent, filterParams: [String: String]?) -> [String: JSON]? {
        // Extras by full key and by their last dotted part (android.intent.extra.alarm.HOUR → HOUR),
        // since template paths split at dots.
        var extras = intent.extras
        for (k, v) in intent.extras { if let last = k.split(separator: ".").last { extras[String(last)] = v } }
        var ctx: [String: JSON] = ["extra": .object(extras)]
        if let data = intent.data {
            ctx["data"] = .string(data)
            if let colon = data.firstIndex(of: ":") {
                var ssp = String(data[data.index(after: colon)...])
                if let q = ssp.firstIndex(of: "?") { ssp = String(ssp[..<q]) }
                ctx["ssp"] = .string(ssp.removingPercentEncoding ?? ssp)
            }
            if let c = URLComponents(string: data) {
                ctx["host"] = .string(c.host ?? "")
                ctx["path"] = .string(c.path)
                for item in c.queryItems ?? [] { ctx["query_" + item.name] = .string(item.value ?? "") }
            }
        }
        if let t = intent.type { ctx["type"] = .string(t) }
        guard let filterParams else { return intent.extras }
        let context = JSON.object(ctx)
        return filterParams.mapValues { Template.value(.string($0), context) }
    }

    // MARK: - Actions

    func perform(_ actions: [Action], package: String, context: JSON) {
        clockTicks += 1
        for action in actions {
            if let required = action.require, let entry = topEntry {
                for field in required where (entry.form[field] ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                    toast = "Enter \(field.replacingOccurrences(of: "_", with: " "))"
                    changed()
                    return
                }
            }
            if let screen = action.navigate {
                let params = (action.params ?? [:]).mapValues { Template.value(.string($0), context) }
                push(package: package, screen: screen, params: params, replace: action.replace ?? false)
            }
            if action.back == true { pressBack() }
            if action.home == true { pressHome() }
            if let p = action.set {
                let path = StatePath(Template.render(p, context))
                states[package, default: .object([:])].set(Template.value(action.value ?? .null, context), at: path)
                dirty.insert(package)
            }
            if let p = action.toggle {
                let path = StatePath(Template.render(p, context))
                let on = states[package]?.value(at: path)?.truthy ?? false
                states[package, default: .object([:])].set(.bool(!on), at: path)
                dirty.insert(package)
            }
            if let p = action.append {
                let path = StatePath(Template.render(p, context))
                var items = states[package]?.value(at: path)?.arrayValue ?? []
                var item = (action.item ?? [:]).mapValues { Template.value($0, context) }
                if item["id"] == nil {
                    item["id"] = .number((items.compactMap { $0["id"]?.numberValue }.max() ?? 0) + 1)
                }
                items.append(.object(item))
                states[package, default: .object([:])].set(.array(items), at: path)
                dirty.insert(package)
            }
            if let p = action.update {
                let path = StatePath(Template.render(p, context))
                if let existing = states[package]?.value(at: path) {
                    let fields = JSON.object((action.item ?? [:]).mapValues { Template.value($0, context) })
                    states[package]?.set(existing.merged(with: fields), at: path)
                    dirty.insert(package)
                }
            }
            if let p = action.remove {
                states[package]?.set(nil, at: StatePath(Template.render(p, context)))
                dirty.insert(package)
            }
            if let p = action.clear {
                states[package, default: .object([:])].set(.array([]), at: StatePath(Template.render(p, context)))
                dirty.insert(package)
            }
            if let pkg = action.launch { launch(Template.render(pkg, context)) }
            if let t = action.toast { toast = Template.render(t, context) }
            if let spec = action.intent {
                var intent = Intent()
                intent.action = spec.action.map { Template.render($0, context) }
                intent.data = spec.data.map { Template.render($0, context) }
                intent.type = spec.type
                intent.component = spec.component
                intent.extras = (spec.extras ?? [:]).mapValues { Template.value(.string($0), context) }
                _ = start(intent)
            }
            if action.resetForm == true, !tasks.isEmpty, let last = tasks.last?.entries.indices.last {
                for key in tasks[tasks.count - 1].entries[last].form.keys { tasks[tasks.count - 1].entries[last].form[key] = "" }
            }
        }
        changed()
    }

    // MARK: - Text input

    /// Types text into the focused field (what `input text` and the keyboard do).
    @discardableResult
    public func type(_ string: String) -> Bool {
        guard let last = tasks.indices.last, let e = tasks[last].entries.indices.last, let field = tasks[last].entries[e].focus else { return false }
        tasks[last].entries[e].form[field, default: ""] += string
        changed()
        return true
    }

    func deleteBackward() {
        guard let last = tasks.indices.last, let e = tasks[last].entries.indices.last, let field = tasks[last].entries[e].focus else { return }
        var value = tasks[last].entries[e].form[field, default: ""]
        if !value.isEmpty { value.removeLast() }
        tasks[last].entries[e].form[field] = value
        changed()
    }

    func clearFocused() {
        guard let last = tasks.indices.last, let e = tasks[last].entries.indices.last, let field = tasks[last].entries[e].focus else { return }
        tasks[last].entries[e].form[field] = ""
        changed()
    }

    /// Enter in the focused field: runs its submit actions.
    func submitFocused() {
        guard let entry = topEntry, let field = entry.focus, let app = catalog.apps[entry.package],
            let widget = app.screen(entry.screen)?.widgets.first(where: { $0.type == .field && $0.field == field })
        else { return }
        if let submit = widget.submit {
            perform(submit, package: app.package, context: context(for: entry, app: app))
        } else if widget.multiline == true {
            type("\n")
        }
    }

    func focus(_ field: String) {
        guard let last = tasks.indices.last, let e = tasks[last].entries.indices.last else { return }
        tasks[last].entries[e].focus = field
        changed()
    }

    /// The focused field's text, if a field has focus.
    public var focusedText: String? {
        guard let entry = topEntry, let f = entry.focus else { return nil }
        return entry.form[f] ?? ""
    }

    /// A form field of the top screen.
    public func formValue(_ field: String) -> String? { topEntry?.form[field] }

    /// The top screen's id (for tests).
    public var screenId: String { topEntry?.screen ?? "" }
    public var lastRecognizedGesture: String { lastGesture }

    // MARK: - Settings and IME

    /// `settings get NAMESPACE KEY`: the Settings app's toggles are mapped to their real keys.
    func setting(_ namespace: String, _ key: String) -> String? {
        let s = states["com.android.settings"]
        switch (namespace, key) {
        case ("global", "wifi_on"): return (s?["wifi"]?.truthy ?? false) ? "1" : "0"
        case ("global", "bluetooth_on"): return (s?["bluetooth"]?.truthy ?? false) ? "1" : "0"
        case ("global", "airplane_mode_on"): return (s?["airplane_mode"]?.truthy ?? false) ? "1" : "0"
        case ("secure", "ui_night_mode"): return (s?["dark_mode"]?.truthy ?? false) ? "2" : "1"
        case ("system", "screen_brightness"):
            return String(Int(((s?["brightness"]?.numberValue ?? 50) * 255 / 100).rounded()))
        default: return settings[namespace]?[key]
        }
    }

    func putSetting(_ namespace: String, _ key: String, _ value: String) {
        func setApp(_ field: String, _ v: JSON) {
            states["com.android.settings"]?.set(v, at: StatePath(field))
            dirty.insert("com.android.settings")
        }
        switch (namespace, key) {
        case ("global", "wifi_on"): setApp("wifi", .bool(value == "1"))
        case ("global", "bluetooth_on"): setApp("bluetooth", .bool(value == "1"))
        case ("global", "airplane_mode_on"): setApp("airplane_mode", .bool(value == "1"))
        case ("secure", "ui_night_mode"): setApp("dark_mode", .bool(value == "2"))
        case ("system", "screen_brightness"):
            setApp("brightness", .number(((Double(value) ?? 128) * 100 / 255).rounded()))
        case ("secure", "default_input_method"):
            settings["secure"]?[key] = value
            currentIME = Self.shortIME(value)
        default: settings[namespace, default: [:]][key] = value
        }
        changed()
    }

    static func shortIME(_ id: String) -> String {
        let parts = id.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return id }
        return parts[0] + "/" + shortClass(fullClass(parts[1], package: parts[0]), package: parts[0])
    }

    var installedIMEs: [String] {
        [Self.latinIME] + ((profile.systemPackages ?? []).contains("com.android.adbkeyboard") ? [Self.adbIME] : [])
    }

    var adbKeyboardActive: Bool { currentIME == Self.adbIME }

    /// ADB Keyboard's broadcast receiver exists: it is the IME, a field has focus (its input
    /// view shows), and it has had `imeAttachDelay` to create that view.
    var adbKeyboardListening: Bool {
        adbKeyboardActive && topEntry?.focus != nil && uptime >= imeSelectedAt + imeAttachDelay
    }

    /// For tests: a slow phone's IME.
    public func setIMEAttachDelay(_ seconds: Double) { imeAttachDelay = seconds }

    // MARK: - Input events (getevent)

    /// A live feed of the touchscreen's kernel events (what `getevent` reads).
    func subscribe() -> (UUID, AsyncStream<InputEvent>) {
        let (stream, continuation) = AsyncStream<InputEvent>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        let id = UUID()
        subscribers[id] = continuation
        return (id, stream)
    }

    func unsubscribe(_ id: UUID) {
        subscribers[id]?.finish()
        subscribers[id] = nil
    }

    static let touchDevice = 3
    static let keyDevice = 1
    var touchMax: (x: Int, y: Int) { (profile.touchMaxX ?? profile.width - 1, profile.touchMaxY ?? profile.height - 1) }

    func emit(_ events: [(UInt16, UInt16, Int32)], device: Int = VirtualPhone.touchDevice) {
        let t = uptime
        for (type, code, value) in events {
            let event = InputEvent(time: t, device: device, type: type, code: code, value: value)
            for c in subscribers.values { c.yield(event) }
        }
    }

    func raw(_ x: Int, _ y: Int) -> (Int32, Int32) {
        let m = touchMax
        return (Int32(x * (m.x + 1) / profile.width), Int32(y * (m.y + 1) / profile.height))
    }

    // MARK: - Control API: a person touching the screen

    /// A person turns the phone (or `wm user-rotation lock N` ran).
    public func setRotation(_ quarterTurns: Int) {
        rotation = ((quarterTurns % 4) + 4) % 4
    }

    /// A finger goes down at (x, y): the touchscreen reports it (getevent sees it).
    public func touchDown(x: Int, y: Int) {
        nextTrackingId += 1
        let (rx, ry) = raw(x, y)
        emit([(3, 0x39, Int32(nextTrackingId)), (1, 0x14a, 1), (3, 0x35, rx), (3, 0x36, ry), (3, 0x3a, 0x40), (0, 0, 0)])
        beginTouch(x: x, y: y, time: uptime)
    }

    public func touchMove(x: Int, y: Int) {
        let (rx, ry) = raw(x, y)
        emit([(3, 0x35, rx), (3, 0x36, ry), (0, 0, 0)])
        moveTouch(x: x, y: y)
    }

    public func touchUp() {
        emit([(3, 0x39, -1), (1, 0x14a, 0), (0, 0, 0)])
        endTouch(time: uptime)
    }

    /// A person's tap: down, a short pause, up.
    public func humanTap(x: Int, y: Int) async {
        touchDown(x: x, y: y)
        try? await Task.sleep(for: .milliseconds(60))
        touchUp()
    }

    /// A person's swipe with a few intermediate points.
    public func humanSwipe(fromX x1: Int, fromY y1: Int, toX x2: Int, toY y2: Int, milliseconds: Int = 250) async {
        touchDown(x: x1, y: y1)
        let steps = 5
        for i in 1...steps {
            try? await Task.sleep(for: .milliseconds(max(milliseconds / steps, 1)))
            touchMove(x: x1 + (x2 - x1) * i / steps, y: y1 + (y2 - y1) * i / steps)
        }
        touchUp()
    }

    /// A hardware key press (power, volume) or a key the framework injects.
    public func pressKey(_ code: Int) {
        if let linux = Self.linuxKeys[code] {
            emit([(1, linux, 1), (0, 0, 0)], device: Self.keyDevice)
            emit([(1, linux, 0), (0, 0, 0)], device: Self.keyDevice)
        }
        keyEvent(code)
    }

    /// Android key codes of the hardware keys, and their Linux codes.
    static let linuxKeys: [Int: UInt16] = [26: 116, 24: 115, 25: 114]

    // MARK: - Gestures

    func beginTouch(x: Int, y: Int, time: Double) {
        touch = (x, y, x, y, time, 0)
    }

    func moveTouch(x: Int, y: Int) {
        guard var t = touch else { return }
        t.x = x
        t.y = y
        touch = t
    }

    func endTouch(time: Double) {
        guard let t = touch else { return }
        touch = nil
        gesture(fromX: t.startX, fromY: t.startY, toX: t.x, toY: t.y, duration: time - t.start)
    }

    /// Classifies a finished touch: tap, double tap, long press or swipe; then acts on it.
    func gesture(fromX x1: Int, fromY y1: Int, toX x2: Int, toY y2: Int, duration: Double) {
        if lockScreenTakes(fromX: x1, fromY: y1, toX: x2, toY: y2) {
            changed()
            return
        }
        toast = nil
        clockTicks += 1
        let slop = Int(8 * scale)
        let dx = x2 - x1, dy = y2 - y1
        if abs(dx) <= slop, abs(dy) <= slop {
            if duration >= 0.5 {
                lastGesture = "longpress"
                longPress(x: x1, y: y1)
            } else {
                let t = uptime
                if let last = lastTap, t - last.time < 0.3, abs(last.x - x1) < slop * 4, abs(last.y - y1) < slop * 4 {
                    lastGesture = "doubletap"
                    lastTap = nil
                } else {
                    lastGesture = "tap"
                    lastTap = (x1, y1, t)
                }
                tap(x: x1, y: y1)
            }
        } else {
            lastGesture = "swipe"
            swipe(fromX: x1, fromY: y1, toX: x2, toY: y2)
        }
        changed()
    }
}

/// SplitMix64: the phone's only source of randomness, seeded.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
