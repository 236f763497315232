import AndroidPhone
import Foundation
import Imaging

/// The `Android` module's `Phone` as the agent's phone: a real phone over USB/TCP/adb server, or
/// the virtual phone through the same ADB transport.
///
/// - observe: waits for the screen to settle (bounded), keeps the settled frame, names the
///   foreground app by its label as `Phone.apps()` reads it from the APK (`"System Home"` for the
///   launcher, the package when no label is known).
/// - replaceText: clears the focused field, then types. With ADB Keyboard installed the field is
///   cleared with its `ADB_CLEAR_TEXT` and the text goes through it (any Unicode); the user's
///   keyboard is selected again afterwards. Without it, `MOVE_END` then one `DEL` per character
///   of the focused field (from the UI hierarchy; 64 when it cannot be read), then `input text`.
public actor AndroidPhoneControl: PhoneControl {
    public nonisolated let phone: Phone
    /// Labels by package that override those the phone reads from the apps' APKs.
    public nonisolated let labels: [String: String]
    public nonisolated let settleTimeout: Duration
    /// What the model is told when the launcher is in front (the trained name).
    public static let homeLabel = "System Home"

    private var homePackages: Set<String>?
    /// Labels from `Phone.apps()`, read once (the phone caches the APK reads too).
    private var readLabels: [String: String]?

    public init(phone: Phone, labels: [String: String] = [:], settleTimeout: Duration = .seconds(3)) {
        self.phone = phone
        self.labels = labels
        self.settleTimeout = settleTimeout
    }

    public func observe() async throws -> Observation {
        let settled = try await phone.waitUntilSettled(timeout: settleTimeout)
        let foreground = try await phone.foregroundApp()
        return Observation(image: settled.image, currentApp: try await label(of: foreground?.package))
    }

    /// The name the model sees for a package in front.
    func label(of package: String?) async throws -> String {
        guard let package, !package.isEmpty else { return Self.homeLabel }
        if try await launcherPackages().contains(package) { return Self.homeLabel }
        if let label = labels[package] { return label }
        if readLabels == nil {
            // A phone whose apps cannot be listed still gets observed, by package name.
            readLabels = (try? await phone.apps()).map(Self.labels(of:)) ?? [:]
        }
        return readLabels?[package] ?? package
    }

    static func labels(of apps: [InstalledApp]) -> [String: String] {
        Dictionary(apps.compactMap { app in app.label.map { (app.package, $0) } }, uniquingKeysWith: { a, _ in a })
    }

    /// The launcher's package: what the phone resolves for HOME, and packages that look like
    /// a launcher (the virtual phone does not resolve HOME).
    func launcherPackages() async throws -> Set<String> {
        if let homePackages { return homePackages }
        var found: Set<String> = []
        let text = try await phone.shell("cmd package resolve-activity --brief -a android.intent.action.MAIN -c android.intent.category.HOME").stdoutText
        for line in text.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "/")
            if parts.count == 2, !line.contains(" "), parts[0].contains(".") { found.insert(String(parts[0])) }
        }
        found.remove("android")  // the chooser when several launchers are installed
        let packages = try await phone.installedPackages()
        for p in packages where Self.looksLikeLauncher(p) { found.insert(p) }
        homePackages = found
        return found
    }

    static func looksLikeLauncher(_ package: String) -> Bool {
        let p = package.lowercased()
        return p.contains("launcher") || p.hasSuffix(".home") || p.hasSuffix(".homescreen")
    }

    public func installedApps() async throws -> [AppLabel] {
        let home = try await launcherPackages()
        let apps = try await phone.apps()
        readLabels = Self.labels(of: apps)
        return apps
            .filter { $0.launcherActivity != nil && !home.contains($0.package) }
            .map { AppLabel(package: $0.package, label: labels[$0.package] ?? $0.label ?? $0.package) }
    }

    public func prepare() async throws -> PhoneReadiness {
        do {
            try await phone.unlock()
            return .ready
        } catch PhoneError.locked {
            return .needsPerson("The phone is locked with a PIN, pattern or password: unlock it on the phone.")
        }
    }

    public func tap(x: Int, y: Int) async throws { try await phone.tap(x: x, y: y) }

    public func doubleTap(x: Int, y: Int) async throws { try await phone.doubleTap(x: x, y: y) }

    public func longPress(x: Int, y: Int, milliseconds: Int) async throws {
        try await phone.longPress(x: x, y: y, duration: .milliseconds(milliseconds))
    }

    public func swipe(fromX: Int, fromY: Int, toX: Int, toY: Int, milliseconds: Int) async throws {
        try await phone.swipe(fromX: fromX, fromY: fromY, toX: toX, toY: toY, duration: .milliseconds(milliseconds))
    }

    public func back() async throws { try await phone.key(.back) }

    public func home() async throws { try await phone.key(.home) }

    public func launch(package: String) async throws { try await phone.launch(package) }

    public func shell(_ command: String) async throws -> String {
        let result = try await phone.shell(command)
        return result.stdoutText + result.stderrText
    }

    public func replaceText(_ text: String) async throws {
        let query = try await phone.shell("ime list -a -s; echo ---; ime list -s; echo ---; settings get secure default_input_method").stdoutText
        let parts = query.components(separatedBy: "---\n").map { $0.split(whereSeparator: \.isNewline).map(String.init) }
        let installed = parts.first ?? []
        let enabled = parts.count > 1 ? parts[1] : []
        let current = parts.count > 2 ? parts[2].first ?? "" : ""
        let adb = Phone.adbKeyboardIME
        guard installed.contains(where: { Self.sameIME($0, adb) }) else {
            try await clearByKeys()
            if !text.isEmpty { try await phone.type(text) }
            return
        }
        // Keep ADB Keyboard selected across the clear and the typing, then give the user's back.
        let switched = !Self.sameIME(current, adb)
        let wasEnabled = enabled.contains { Self.sameIME($0, adb) }
        do {
            if switched {
                _ = try await phone.shell((wasEnabled ? "" : "ime enable \(adb) >/dev/null; ") + "ime set \(adb)")
                try await Task.sleep(for: .milliseconds(300))
            }
            _ = try await phone.shell("am broadcast -a ADB_CLEAR_TEXT")
            if !text.isEmpty { try await phone.type(text) }
        } catch {
            if switched { await restoreIME(current, disable: wasEnabled ? nil : adb) }
            throw error
        }
        if switched { await restoreIME(current, disable: wasEnabled ? nil : adb) }
    }

    private func restoreIME(_ ime: String, disable: String?) async {
        var command = ""
        if let disable { command += "ime disable \(disable) >/dev/null; " }
        if !ime.isEmpty, ime != "null" { command += "ime set \(ime)" }
        if !command.isEmpty { _ = try? await phone.shell(command) }
    }

    private func clearByKeys() async throws {
        var count = 64
        if let hierarchy = try? await phone.uiHierarchy(), let field = hierarchy.allNodes.first(where: \.focused) {
            count = field.text.count + 2
        }
        let deletes = Array(repeating: "67", count: min(count, 400)).joined(separator: " ")
        _ = try await phone.shell("input keyevent 123; input keyevent \(deletes)")
    }

    static func sameIME(_ a: String, _ b: String) -> Bool {
        func expand(_ s: String) -> String {
            let t = s.trimmingCharacters(in: .whitespaces)
            let parts = t.split(separator: "/", maxSplits: 1)
            guard parts.count == 2 else { return t }
            return parts[1].hasPrefix(".") ? "\(parts[0])/\(parts[0])\(parts[1])" : t
        }
        return expand(a) == expand(b)
    }
}
