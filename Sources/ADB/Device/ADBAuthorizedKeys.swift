import Foundation

/// The device half's list of trusted host keys, in the format of `/data/misc/adb/adb_keys`:
/// one `base64 user@host` line per key.
public actor ADBAuthorizedKeys {
    private var keys: [ADBPublicKey]

    public init(_ keys: [ADBPublicKey] = []) {
        self.keys = keys
    }

    /// Parses `adb_keys` text; lines that are not keys are skipped.
    public init(adbKeysText text: String) {
        self.keys = text.split(whereSeparator: \.isNewline).compactMap { try? ADBPublicKey(androidText: String($0)) }
    }

    public func add(_ key: ADBPublicKey) {
        if !keys.contains(key) { keys.append(key) }
    }

    public var all: [ADBPublicKey] { keys }

    /// The key that signed `token`, if any.
    public func verify(signature: [UInt8], token: [UInt8]) -> ADBPublicKey? {
        keys.first { $0.verify(signature: signature, token: token) }
    }
}
