import Foundation
import TetherTestSupport
import Testing
@testable import ADB

/// What happens around `~/.android/adbkey` when it is damaged or half gone.
@Suite struct KeyFileTests {
    static func corruptKeyDirectory() throws -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        try Data("garbage\n".utf8).write(to: dir.url.appendingPathComponent("adbkey"))
        return dir
    }

    /// A phone that asks for no authentication is reached even with a corrupt key, as adb does:
    /// the key is read only when a phone sends AUTH.
    @Test func aCorruptKeyDoesNotStopAPhoneThatAsksForNoAuth() async throws {
        let device = try await TestDevice.start()
        let dir = try Self.corruptKeyDirectory()
        let connector = DeviceConnector(environment: ["LOGNAME": "me", "HOSTNAME": "here"], keyDirectory: dir.url)
        let target = try await connector.open(.tcp(address: "127.0.0.1:\(device.port)"))
        #expect(try await target.shell("echo fine").stdoutText == "fine\n")
        if let connection = target as? ADBConnection { await connection.close() }
        await device.stop()
    }

    /// A phone that does ask gets an error naming the file and what to do, not a crypto code.
    @Test func aCorruptKeySaysWhichFileAndWhatToDo() async throws {
        let device = try await TestDevice.start(authentication: .keys(ADBAuthorizedKeys(), onUnknownKey: { _, _ in true }))
        let dir = try Self.corruptKeyDirectory()
        let connector = DeviceConnector(environment: ["LOGNAME": "me", "HOSTNAME": "here"], keyDirectory: dir.url)
        do {
            _ = try await connector.open(.tcp(address: "127.0.0.1:\(device.port)"))
            Issue.record("a corrupt key must not authenticate")
        } catch let error as ADBError {
            let text = "\(error)"
            #expect(text.contains(dir.url.appendingPathComponent("adbkey").path))
            #expect(text.contains("Move it aside"))
            #expect(!text.contains("CoreCrypto"), "\(text)")
            #expect(!text.contains("error:"), "\(text)")
        }
        await device.stop()
    }

    /// A regenerated private key rewrites a stale `adbkey.pub`: the two halves always match.
    @Test func aRegeneratedKeyRewritesThePublicHalf() throws {
        let dir = TemporaryDirectory()
        let first = try ADBKeyStore.load(directory: dir.url, environment: ["LOGNAME": "me", "HOSTNAME": "here"])
        try FileManager.default.removeItem(at: dir.url.appendingPathComponent("adbkey"))
        let second = try ADBKeyStore.load(directory: dir.url, environment: ["LOGNAME": "me", "HOSTNAME": "here"])
        #expect(second.primary.publicKey != first.primary.publicKey)
        let pub = try String(contentsOf: dir.url.appendingPathComponent("adbkey.pub"), encoding: .utf8)
        #expect(try ADBPublicKey(androidText: pub) == second.primary.publicKey)
    }
}
