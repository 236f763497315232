import Basics
import Foundation

/// The bearer token every API route but `/healthz` asks for: 32 random bytes as hex, made at the
/// first start and kept in `<state>/token` (mode 0600) so that local clients can read it.
public enum APIToken {
    public static func file(in state: URL) -> URL { StateDirectory.tokenFile(in: state) }

    /// Reads the token, creating it (and the state directory) when there is none.
    public static func loadOrCreate(in state: URL) throws(StoreError) -> String {
        try StateDirectory.create(state)
        let url = file(in: state)
        if let text = try? String(contentsOf: url, encoding: .utf8) {
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if token.count >= 32 { return token }
        }
        var generator = SystemRandomNumberGenerator()
        let token = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        let created = FileManager.default.createFile(
            atPath: url.path, contents: Data((token + "\n").utf8),
            attributes: [.posixPermissions: 0o600])
        guard created else {
            throw StoreError("cannot write the API token to \(url.path); check that the state directory is writable")
        }
        // createFile keeps an existing file's mode: make sure nobody else can read it.
        try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        return token
    }
}
