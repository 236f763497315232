import ADB
import Foundation

/// An installed app.
public struct InstalledApp: Sendable, Equatable, Codable {
    public var package: String
    /// The activity the launcher starts (`pkg/.Main`), nil for packages with no launcher entry.
    public var launcherActivity: String?
    /// The name the launcher shows, in the phone's locale: read from the APK (the launcher
    /// entry's own label, else the application's), or `Configuration.appLabels`. Nil for apps
    /// with no launcher entry and when the APK could not be read.
    public var label: String?
    /// Why the label could not be read, when it could not.
    public var labelError: String?

    public init(package: String, launcherActivity: String? = nil, label: String? = nil, labelError: String? = nil) {
        self.package = package
        self.launcherActivity = launcherActivity
        self.label = label
        self.labelError = labelError
    }
}

/// The app and activity in front.
public struct ForegroundApp: Sendable, Equatable, Codable {
    public var package: String
    /// `pkg/.Activity` as the window manager names it; nil when unknown.
    public var activity: String?
    /// The focused window when it is not the app's (the notification shade, a dialog …).
    public var window: String?

    public init(package: String, activity: String? = nil, window: String? = nil) {
        self.package = package
        self.activity = activity
        self.window = window
    }

    /// Reads `mCurrentFocus=Window{… u0 pkg/cls}` and `mFocusedApp=ActivityRecord{… u0 pkg/cls t12}`
    /// (dumpsys window), or `mResumedActivity: ActivityRecord{…}` (dumpsys activity).
    public static func parse(_ text: String) -> ForegroundApp? {
        var focus: String?, app: String?
        for line in text.split(whereSeparator: \.isNewline) {
            if focus == nil, line.contains("mCurrentFocus="), let name = windowName(String(line)) { focus = name }
            if app == nil, line.contains("mFocusedApp=") || line.contains("ResumedActivity"), let name = recordName(String(line)) { app = name }
        }
        if let app {
            let package = String(app.split(separator: "/").first ?? "")
            return ForegroundApp(package: package, activity: app, window: focus.flatMap { $0.hasPrefix(package + "/") ? nil : $0 })
        }
        if let focus, focus.contains("/") {
            return ForegroundApp(package: String(focus.split(separator: "/").first ?? ""), activity: focus)
        }
        return nil
    }

    /// `Window{hash u0 NAME}` → NAME.
    static func windowName(_ line: String) -> String? {
        guard let open = line.range(of: "Window{"), let close = line[open.upperBound...].firstIndex(of: "}") else { return nil }
        let words = line[open.upperBound..<close].split(separator: " ")
        guard words.count >= 3 else { return nil }
        return words[2...].joined(separator: " ")
    }

    /// `ActivityRecord{hash u0 pkg/cls t12}` → pkg/cls.
    static func recordName(_ line: String) -> String? {
        guard let open = line.range(of: "ActivityRecord{"), let close = line[open.upperBound...].firstIndex(of: "}") else { return nil }
        return line[open.upperBound..<close].split(separator: " ").first { $0.contains("/") }.map(String.init)
    }
}

/// An intent for `am start` / `am broadcast`.
public struct Intent: Sendable, Equatable {
    public enum Extra: Sendable, Equatable {
        case string(String), int(Int), long(Int64), float(Double), bool(Bool), uri(String)
    }

    public var action: String?
    public var data: String?
    public var mimeType: String?
    public var component: String?
    public var package: String?
    public var categories: [String] = []
    public var extras: [(String, Extra)] = []
    public var flags: [String] = []

    public init(
        action: String? = nil, data: String? = nil, mimeType: String? = nil, component: String? = nil,
        package: String? = nil, categories: [String] = [], extras: [(String, Extra)] = []
    ) {
        self.action = action
        self.data = data
        self.mimeType = mimeType
        self.component = component
        self.package = package
        self.categories = categories
        self.extras = extras
    }

    public static func == (a: Intent, b: Intent) -> Bool { a.arguments == b.arguments }

    /// The `am` arguments, each quoted for the device shell.
    public var arguments: String {
        var words: [String] = []
        func add(_ flag: String, _ value: String?) { if let value { words += [flag, ShellQuoting.quote(value)] } }
        add("-a", action)
        add("-d", data)
        add("-t", mimeType)
        for category in categories { add("-c", category) }
        add("-n", component)
        add("-p", package)
        for (key, value) in extras {
            switch value {
            case .string(let s): words += ["--es", ShellQuoting.quote(key), ShellQuoting.quote(s)]
            case .int(let n): words += ["--ei", ShellQuoting.quote(key), String(n)]
            case .long(let n): words += ["--el", ShellQuoting.quote(key), String(n)]
            case .float(let f): words += ["--ef", ShellQuoting.quote(key), String(f)]
            case .bool(let b): words += ["--ez", ShellQuoting.quote(key), b ? "true" : "false"]
            case .uri(let u): words += ["--eu", ShellQuoting.quote(key), ShellQuoting.quote(u)]
            }
        }
        words += flags
        return words.joined(separator: " ")
    }
}

extension Phone {
    // MARK: - Packages

    /// Package names, sorted (`pm list packages`).
    public func installedPackages(thirdPartyOnly: Bool = false) async throws -> [String] {
        let text = try await check("pm list packages" + (thirdPartyOnly ? " -3" : ""))
        return Self.lines(text).compactMap { $0.hasPrefix("package:") ? String($0.dropFirst(8)) : nil }.sorted()
    }

    /// Installed packages with their launcher activities (one round trip for all) and, for apps
    /// with a launcher entry, their labels in the phone's locale (see `apkLabels(for:)`).
    public func apps() async throws -> [InstalledApp] {
        try await appsInAllLocales().apps
    }

    /// `apps()`, and for each package the labels its launcher entry has in the other locales of
    /// its APK (so that `设置` finds Settings on a phone set to English).
    func appsInAllLocales() async throws -> (apps: [InstalledApp], otherLabels: [String: [String]]) {
        let found = try await appsWithoutLabels()
        let launchable = found.filter { $0.launcherActivity != nil && configuration.appLabels[$0.package] == nil }.map(\.package)
        var read: [String: Result<APKLabels, PhoneError>] = [:]
        var locale = ResourceLocale.default
        if !launchable.isEmpty {
            // Labels are a bonus: a phone that fails the batched commands still lists its apps.
            do {
                read = try await apkLabels(for: launchable)
                locale = try await deviceLocale()
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.warning("cannot read app labels", metadata: ["error": "\(error)"])
                for package in launchable where read[package] == nil {
                    read[package] = .failure(.apkUnreadable(package: package, reason: "\(error)"))
                }
            }
        }
        var otherLabels: [String: [String]] = [:]
        let apps = found.map { app in
            var app = app
            if let label = configuration.appLabels[app.package] {
                app.label = label
            } else if let result = read[app.package] {
                switch result {
                case .success(let labels):
                    app.label = labels.label(component: app.launcherActivity, locale: locale)
                    otherLabels[app.package] = labels.allLabels(component: app.launcherActivity).filter { $0 != app.label }
                case .failure(let error):
                    app.labelError = error.description
                    logger.info("no label", metadata: ["package": "\(app.package)", "error": "\(error)"])
                }
            }
            return app
        }
        return (apps, otherLabels)
    }

    /// Installed packages with their launcher activities.
    func appsWithoutLabels() async throws -> [InstalledApp] {
        let packages = try await installedPackages()
        var launchers: [String: String] = [:]
        // Android 7+: every launcher activity in one call.
        let query = try await shell("cmd package query-activities --brief -a android.intent.action.MAIN -c android.intent.category.LAUNCHER")
        if query.exitCode == 0, !query.stdoutText.contains("Unknown command") {
            for component in Self.components(in: query.stdoutText) {
                let package = String(component.split(separator: "/").first ?? "")
                if launchers[package] == nil { launchers[package] = component }
            }
        }
        if launchers.isEmpty, !packages.isEmpty {
            // Otherwise ask per package, batched into few command lines.
            let answers = try await outputs(
                of: packages.map { "cmd package resolve-activity --brief -c android.intent.category.LAUNCHER \($0)" },
                timeout: configuration.commandTimeout * 4)
            for (package, answer) in zip(packages, answers) {
                if let component = Self.components(in: answer).last { launchers[package] = component }
            }
        }
        return packages.map { InstalledApp(package: $0, launcherActivity: launchers[$0]) }
    }

    /// Lines of the form `pkg/cls`.
    static func components(in text: String) -> [String] {
        lines(text).filter { line in
            let parts = line.split(separator: "/")
            return parts.count == 2 && !line.contains(" ") && !line.contains("=") && parts[0].contains(".")
        }
    }

    /// The launcher activity of a package, nil when it has none.
    public func launcherActivity(of package: String) async throws -> String? {
        let text = try await shell("cmd package resolve-activity --brief -c android.intent.category.LAUNCHER \(ShellQuoting.quote(package))").stdoutText
        return Self.components(in: text).last
    }

    /// Finds the package an app name means with `AppNameMatcher` (no typo correction: a near
    /// miss is suggested, not launched): a package name, or a label as `apps()` reads it, in the
    /// phone's locale or any other locale the app's APK has.
    public func resolveApp(_ name: String) async throws -> String {
        let (apps, otherLabels) = try await appsInAllLocales()
        if apps.contains(where: { $0.package == name }) { return name }
        let candidates = apps.map { app in
            AppNameMatcher.Candidate(package: app.package, label: app.label ?? "", otherLabels: otherLabels[app.package] ?? [])
        }
        if let hit = AppNameMatcher.match(name, in: candidates, typos: false) { return hit.package }
        let wanted = name.lowercased()
        let suggestions =
            AppNameMatcher.suggestions(for: name, in: candidates.filter { !$0.label.isEmpty })
            + apps.map(\.package).filter { $0.lowercased().contains(wanted) }
        throw PhoneError.appNotFound(name, suggestions: Array(suggestions.prefix(5)))
    }

    /// Starts an app by package or label at its launcher activity (bringing its task to front
    /// when it runs). Returns the package.
    @discardableResult
    public func launch(_ app: String) async throws -> String {
        let package = try await resolveApp(app)
        try await launch(package: package)
        return package
    }

    /// Starts an installed package at its launcher activity, without listing packages or
    /// matching names (for a package a matcher already chose).
    public func launch(package: String) async throws {
        if let component = try await launcherActivity(of: package) {
            let intent = Intent(action: "android.intent.action.MAIN", component: component, categories: ["android.intent.category.LAUNCHER"])
            try await start(intent)
            return
        }
        // Old phones without `cmd package resolve-activity`: let monkey find it.
        let command = "monkey -p \(ShellQuoting.quote(package)) -c android.intent.category.LAUNCHER 1"
        let out = try await shell(command)
        guard out.stdoutText.contains("Events injected: 1") else {
            if (out.stdoutText + out.stderrText).contains("No activities found") {
                throw PhoneError.appNotFound(package, suggestions: [])
            }
            throw PhoneError.commandFailed(command: command, status: out.exitCode, output: out.stdoutText + out.stderrText)
        }
    }

    /// The launcher's packages: what the phone resolves for HOME, and installed packages that
    /// look like a launcher (`launcher` in the name, or ending in `.home`). Asked once per phone.
    public func launcherPackages() async throws -> Set<String> {
        if let cachedLauncherPackages { return cachedLauncherPackages }
        let text = try await shell("cmd package resolve-activity --brief -a android.intent.action.MAIN -c android.intent.category.HOME").stdoutText
        var found = Set(Self.components(in: text).compactMap { $0.split(separator: "/").first.map(String.init) })
        found.remove("android")  // the chooser when several launchers are installed
        for package in try await installedPackages() where Self.looksLikeLauncher(package) { found.insert(package) }
        cachedLauncherPackages = found
        return found
    }

    static func looksLikeLauncher(_ package: String) -> Bool {
        let p = package.lowercased()
        return p.contains("launcher") || p.hasSuffix(".home") || p.hasSuffix(".homescreen")
    }

    /// `am start` with an intent; throws when the activity manager reports an error.
    public func start(_ intent: Intent) async throws {
        let command = "am start " + intent.arguments
        let result = try await shell(command)
        let output = result.stdoutText + result.stderrText
        if result.exitCode.map({ $0 != 0 }) ?? false || output.contains("Error:") || output.contains("Error type") {
            throw PhoneError.commandFailed(command: command, status: result.exitCode, output: output)
        }
    }

    /// `am broadcast` with an intent.
    public func broadcast(_ intent: Intent) async throws {
        try await check("am broadcast " + intent.arguments)
    }

    /// Opens a URI (`https:`, `tel:`, `geo:`, a deep link) with the app that handles it.
    public func open(uri: String) async throws {
        try await start(Intent(action: "android.intent.action.VIEW", data: uri))
    }

    public func forceStop(_ package: String) async throws {
        try await check("am force-stop \(ShellQuoting.quote(package))")
    }

    /// The app in front, from the focus lines of `dumpsys window` only (grep runs on the phone).
    public func foregroundApp() async throws -> ForegroundApp? {
        let text = try await shell("dumpsys window displays | grep -E 'mCurrentFocus=|mFocusedApp='").stdoutText
        if let app = ForegroundApp.parse(text) { return app }
        let activities = try await shell("dumpsys activity activities | grep -E 'ResumedActivity'").stdoutText
        return ForegroundApp.parse(activities)
    }
}
