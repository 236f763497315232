import Foundation

/// Where the daemon keeps its state: the store, the token, the episodes. `--state-dir` wins, then
/// `$XDG_STATE_HOME/tether`, then `~/.local/state/tether`.
public enum StateDirectory {
    public static func resolve(
        explicit: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL {
        if let explicit, !explicit.isEmpty { return URL(fileURLWithPath: explicit, isDirectory: true) }
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            return URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent("tether", isDirectory: true)
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home, isDirectory: true)
            .appendingPathComponent(".local/state/tether", isDirectory: true)
    }

    /// Creates the directory (mode 0700: it holds the API token) if it is not there.
    public static func create(_ directory: URL) throws(StoreError) {
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        } catch {
            throw StoreError("cannot create the state directory \(directory.path): \(error.localizedDescription)")
        }
    }
}
