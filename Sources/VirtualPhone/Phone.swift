import Foundation
import Imaging
import Logging
import Basics

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
    /// Where the actor runs: a serial queue of its own, off Swift's cooperative pool (see
    /// PhoneExecutor.swift).
    nonisolated let executor: PhoneExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

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
    /// The display's rotation in quarter turns (0–3), as `dumpsys input` reports it. A quarter
    /// turn lays the frame out at the turned size (landscape) and maps touches between the frame
    /// and the panel, which keeps its natural orientation (WindowManager/Rotation.swift).
    public internal(set) var rotation = 0
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
    /// The touchscreen's kernel state for events written to it (`sendevent`; Input/TouchPanel.swift).
    var panel = TouchPanel()
    var frameCache: (version: Int, image: Image)?
    var layoutCache: (version: Int, frame: Frame)?
    var version = 0
    var lastGesture: String = ""

    public static let launcherPackage = "com.android.launcher3"
    public static let latinIME = "com.android.inputmethod.latin/.LatinIME"
    public static let adbIME = "com.android.adbkeyboard/.AdbIME"

    /// Makes a phone from a catalog profile. `root` holds its files (a fresh temporary directory
    /// when nil). The same seed gives the same phone.
    public init(
        catalog: DeviceCatalog, profile name: String, seed: UInt64 = 1, index: Int = 0, root: URL? = nil,
        task: TaskDefinition? = nil, logger: Logger = Logger(label: "tether.vphone")
    ) throws(VirtualPhoneError) {
        guard let profile = catalog.profiles[name] else {
            throw .notFound("no profile \"\(name)\"; known: \(catalog.profiles.keys.sorted().joined(separator: ", "))")
        }
        self.profile = profile
        self.catalog = catalog
        self.seed = seed
        self.logger = logger
        self.serialNumber = String(format: "VP%06llX%02d", seed & 0xFFFFFF, index)
        self.executor = PhoneExecutor(label: "tether.vphone.\(index)")
        self.text = try TextRenderer()
        self.scale = Double(profile.density) / 160
        var rng = SplitMix64(seed: seed &+ 0x9E37_79B9)
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

}
