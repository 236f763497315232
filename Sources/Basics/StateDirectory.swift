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

    /// The daemon's API token file in a state directory.
    public static func tokenFile(in state: URL) -> URL { state.appendingPathComponent("token") }

    /// The token a running daemon wrote (for its clients); nil when there is none.
    public static func readToken(in state: URL) -> String? {
        guard let text = try? String(contentsOf: tokenFile(in: state), encoding: .utf8) else { return nil }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return token.isEmpty ? nil : token
    }
}
