import Foundation
import Logging
import Basics

/// The apps' state (JSON per package), written to the phone's files after each change, and the clock.
extension VirtualPhone {
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
    public nonisolated func removeFiles() {
        try? FileManager.default.removeItem(at: root)
    }

    var darkMode: Bool { states["com.android.settings"]?["dark_mode"]?.truthy ?? false }

    /// Virtual wall-clock time in seconds since 1970: advances a minute per user action.
    var now: Double { baseTime + Double(clockTicks) * 60 }

    /// CLOCK_MONOTONIC as the phone sees it.
    var uptime: Double { bootUptime + Date().timeIntervalSince(started) }
}
