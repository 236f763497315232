import AndroidPhone
import Foundation
import Imaging

/// The `Android` module's `Phone` as the agent's phone: a real phone over USB/TCP/adb server, or
/// the virtual phone through the same ADB transport.
///
/// - observe: waits for the screen to settle (bounded), keeps the settled frame, names the
///   foreground app by its label as `Phone.apps()` reads it from the APK (`"System Home"` for the
///   launcher, the package when no label is known).
/// - replaceText: `Phone.replaceText`, which clears the focused field, types and confirms the
///   text arrived; no focused field, or text that did not arrive, is an `ActionRefused` the
///   model is told about.
///
/// It holds no Android shell knowledge: every command is the `Phone`'s.
public actor AndroidPhoneControl: PhoneControl {
    public nonisolated let phone: Phone
    /// Labels by package that override those the phone reads from the apps' APKs.
    public nonisolated let labels: [String: String]
    public nonisolated let settleTimeout: Duration
    /// What the model is told when the launcher is in front (the trained name).
    public static let homeLabel = "System Home"

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
        return Observation(image: settled.image, currentApp: try await label(of: foreground?.package), settleTime: settled.settleTime)
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

    /// The launcher's packages (`Phone.launcherPackages()`).
    func launcherPackages() async throws -> Set<String> {
        try await phone.launcherPackages()
    }

    public func installedApps() async throws -> [AppLabel] {
        let home = try await launcherPackages()
        let apps = try await phone.apps()
        readLabels = Self.labels(of: apps)
        return
            apps
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

    public func launch(package: String) async throws { try await phone.launch(package: package) }

    public func shell(_ command: String) async throws -> String {
        let result = try await phone.shell(command)
        return result.stdoutText + result.stderrText
    }

    public func replaceText(_ text: String) async throws {
        do {
            try await phone.replaceText(text)
        } catch let error as PhoneError {
            switch error {
            case .noFocusedTextField, .textNotDelivered, .textNeedsADBKeyboard: throw ActionRefused(error.description)
            default: throw error
            }
        }
    }
}
