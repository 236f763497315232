import Crypto
import Foundation

/// Seals the secrets a job carries (an endpoint's API key) before they reach the store, with
/// AES-GCM under a key kept beside it in `<state>/secret.key` (32 random bytes, mode 0600). A
/// copy of `store.sqlite` alone (a backup, a bug report) then holds no usable key; the daemon
/// opens them again when the job runs, also after a restart.
public struct SecretBox: Sendable {
    static let prefix = "sealed:v1:"
    private let key: SymmetricKey

    /// Reads the key in `directory`, making it on first use.
    public init(directory: URL) throws(StoreError) {
        let url = directory.appendingPathComponent("secret.key")
        if let data = try? Data(contentsOf: url) {
            guard data.count == 32 else {
                throw StoreError("\(url.path) is not a 32-byte key (it has \(data.count) bytes); restore it, or delete it and resubmit the jobs that carry API keys")
            }
            key = SymmetricKey(data: data)
            return
        }
        let fresh = SymmetricKey(size: .bits256)
        let bytes = fresh.withUnsafeBytes { Data($0) }
        guard FileManager.default.createFile(atPath: url.path, contents: bytes, attributes: [.posixPermissions: 0o600]) else {
            throw StoreError("cannot write \(url.path); check that the state directory is writable")
        }
        key = fresh
    }

    /// `secret` sealed, as text to store.
    public func seal(_ secret: String) throws(StoreError) -> String {
        do {
            guard let combined = try AES.GCM.seal(Data(secret.utf8), using: key).combined else {
                throw StoreError("cannot seal a secret")
            }
            return Self.prefix + combined.base64EncodedString()
        } catch let error as StoreError { throw error } catch { throw StoreError("cannot seal a secret: \(error)") }
    }

    /// The secret `stored` holds; text that was never sealed (a store from before sealing) is
    /// given back as it is.
    public func open(_ stored: String) throws(StoreError) -> String {
        guard stored.hasPrefix(Self.prefix) else { return stored }
        guard let data = Data(base64Encoded: String(stored.dropFirst(Self.prefix.count))),
            let box = try? AES.GCM.SealedBox(combined: data),
            let plain = try? AES.GCM.open(box, using: key)
        else {
            throw StoreError("a stored secret cannot be opened with this state directory's secret.key (was it replaced?); resubmit the job with its API key")
        }
        return String(decoding: plain, as: UTF8.self)
    }
}
