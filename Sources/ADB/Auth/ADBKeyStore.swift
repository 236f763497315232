import Foundation
import Logging

/// The host's keys: `~/.android/adbkey` (created with `adbkey.pub` when missing) and any keys
/// named by `ADB_VENDOR_KEYS`. The order is the order adb tries them in.
public struct ADBKeyStore: Sendable {
    public var keys: [ADBPrivateKey]
    /// The key whose public half is offered when every signature is refused.
    public var primary: ADBPrivateKey
    /// `user@host`, as adb writes it after the base64 public key.
    public var comment: String

    public init(keys: [ADBPrivateKey], comment: String) throws(ADBError) {
        guard let first = keys.first else { throw .invalidArgument("a key store needs at least one key") }
        self.keys = keys
        self.primary = first
        self.comment = comment
    }

    /// The directory adb uses: `$HOME/.android`.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".android")
    }

    /// Loads `adbkey` from `directory`, creating the pair (mode 0600 for the private key) when it is
    /// missing, then the keys in `ADB_VENDOR_KEYS` (files, or directories of `*.adb_key` files).
    public static func load(
        directory: URL = defaultDirectory(),
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "tether.adb.auth")
    ) throws(ADBError) -> ADBKeyStore {
        let comment = userAtHost(environment: environment)
        let keyFile = directory.appendingPathComponent("adbkey")
        let primary: ADBPrivateKey
        let publicFile = directory.appendingPathComponent("adbkey.pub")
        if let pem = try? String(contentsOf: keyFile, encoding: .utf8) {
            do {
                primary = try ADBPrivateKey(pem: pem, origin: keyFile.path)
            } catch {
                throw .io(
                    "\(error.message). Move it aside (mv \(keyFile.path) \(keyFile.path).bad): a new key is made "
                        + "on the next connection, and each phone asks once to allow it")
            }
            if !FileManager.default.fileExists(atPath: publicFile.path) {
                try writePublicKey(primary, comment: comment, to: publicFile)
            }
        } else {
            primary = try ADBPrivateKey.generate()
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                try Data(primary.pkcs8PEM.utf8).write(to: keyFile, options: .atomic)
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile.path)
            } catch {
                throw .io("could not write the new adb key to \(keyFile.path): \(FileError.reason(error))")
            }
            // A new private key makes any old public half wrong: it is always rewritten.
            try writePublicKey(primary, comment: comment, to: publicFile)
            logger.info("created a new adb key", metadata: ["path": "\(keyFile.path)"])
        }
        var keys = [primary]
        for path in (environment["ADB_VENDOR_KEYS"] ?? "").split(separator: ":").map(String.init) where !path.isEmpty {
            keys.append(contentsOf: try vendorKeys(at: path, logger: logger))
        }
        return try ADBKeyStore(keys: keys, comment: comment)
    }

    private static func writePublicKey(_ key: ADBPrivateKey, comment: String, to file: URL) throws(ADBError) {
        let text = key.publicKey.androidText(comment: comment) + "\n"
        do {
            try Data(text.utf8).write(to: file, options: .atomic)
        } catch {
            throw .io("could not write \(file.path): \(FileError.reason(error))")
        }
    }

    private static func vendorKeys(at path: String, logger: Logger) throws(ADBError) -> [ADBPrivateKey] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            logger.warning("ADB_VENDOR_KEYS names a missing path", metadata: ["path": "\(path)"])
            return []
        }
        var files = [path]
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files = names.filter { $0.hasSuffix(".adb_key") }.sorted().map { path + "/" + $0 }
        }
        var keys: [ADBPrivateKey] = []
        for file in files {
            guard let pem = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw .io("cannot read vendor key \(file)")
            }
            keys.append(try ADBPrivateKey(pem: pem, origin: file))
        }
        return keys
    }

    /// `$LOGNAME@$HOSTNAME`, falling back to the system's names, as adb does.
    public static func userAtHost(environment: [String: String]) -> String {
        let user = environment["LOGNAME"].flatMap { $0.isEmpty ? nil : $0 } ?? (getlogin().map { String(cString: $0) } ?? "")
        var host = environment["HOSTNAME"] ?? ""
        if host.isEmpty {
            var buffer = [CChar](repeating: 0, count: 256)
            if gethostname(&buffer, buffer.count) == 0 {
                host = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
        }
        return "\(user)@\(host.isEmpty ? "unknown" : host)"
    }
}
