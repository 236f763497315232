import Foundation
import TetherTestSupport
import Testing
@testable import ADB

@Suite(.serialized) struct AuthTests {
    /// openssl, a peer nobody here wrote, verifies our token signature as PKCS#1 v1.5 over a
    /// SHA-1 DigestInfo whose digest is the raw token.
    @Test func opensslVerifiesTheSignature() async throws {
        let dir = TemporaryDirectory()
        let keys = try ADBKeyStore.load(directory: dir.url, environment: ["HOME": dir.path, "LOGNAME": "tester", "HOSTNAME": "box"])
        let token = (0..<20).map { _ in UInt8.random(in: 0...255) }
        let signature = try keys.primary.sign(token: token)
        #expect(signature.count == 256)
        #expect(keys.primary.publicKey.verify(signature: signature, token: token))
        var flipped = token
        flipped[0] ^= 1
        #expect(!keys.primary.publicKey.verify(signature: signature, token: flipped))

        try Data(token).write(to: dir.url.appendingPathComponent("token"))
        try Data(signature).write(to: dir.url.appendingPathComponent("sig"))
        let key = dir.url.appendingPathComponent("adbkey").path
        let pub = dir.url.appendingPathComponent("pub.pem").path
        let export = try await run(["openssl", "pkey", "-in", key, "-pubout", "-out", pub])
        #expect(export.status == 0, "\(export.stderrText)")
        let verify = try await run([
            "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub, "-pkeyopt", "digest:sha1",
            "-in", dir.url.appendingPathComponent("token").path, "-sigfile", dir.url.appendingPathComponent("sig").path
        ])
        #expect(verify.status == 0, "\(verify.stdoutText) \(verify.stderrText)")
        #expect(verify.stdoutText.contains("Signature Verified Successfully"))

        // The key file is PKCS#8, private, and adbkey.pub is Android's format.
        let pem = try String(contentsOfFile: key, encoding: .utf8)
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let mode = try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let pubText = try String(contentsOf: dir.url.appendingPathComponent("adbkey.pub"), encoding: .utf8)
        #expect(pubText.hasSuffix(" tester@box\n"))
        #expect(try ADBPublicKey(androidText: pubText) == keys.primary.publicKey)
        #expect(pubText.split(separator: " ")[0].count == 700)

        // Loading again gives the same key, not a new one.
        let again = try ADBKeyStore.load(directory: dir.url, environment: ["HOME": dir.path])
        #expect(again.primary.publicKey == keys.primary.publicKey)
    }

    /// The real adb generates a key pair; we parse its adbkey.pub, check n0inv/rr against n, and
    /// our endpoint accepts the real adb's signature with that key trusted. Then the reverse: the
    /// real adb accepts a key we generated (our PEM in its HOME).
    @Test func realADBKeysBothWays() async throws {
        let adb = try RealADB()
        try await adb("start-server")
        let pubText = try String(contentsOf: adb.home.url.appendingPathComponent(".android/adbkey.pub"), encoding: .utf8)
        let theirKey = try ADBPublicKey(androidText: pubText)
        #expect(pubText.contains(" tester@"))

        let trusted = ADBAuthorizedKeys([theirKey])
        let prompts = PromptCounter()
        let device = try await TestDevice.start(
            authentication: .keys(
                trusted,
                onUnknownKey: { _, _ in
                    await prompts.increment()
                    return false
                }))
        let serial = "127.0.0.1:\(device.port)"
        let connect = try await adb("connect", serial)
        #expect(connect.stdoutText.contains("connected to"), "\(connect.stdoutText)")
        #expect(try await adb("-s", serial, "shell", "echo", "signed").stdoutText == "signed\n")
        #expect(await prompts.count == 0)
        _ = try await adb("disconnect", serial)
        await adb.killServer()
        await device.stop()

        // Our key, given to adb: its signatures must verify against our public key.
        let ours = try ADBPrivateKey.generate()
        let adb2 = try RealADB()
        let android = adb2.home.url.appendingPathComponent(".android")
        try FileManager.default.createDirectory(at: android, withIntermediateDirectories: true)
        try Data(ours.pkcs8PEM.utf8).write(to: android.appendingPathComponent("adbkey"))
        try Data((ours.publicKey.androidText(comment: "tether@test") + "\n").utf8).write(to: android.appendingPathComponent("adbkey.pub"))
        let device2 = try await TestDevice.start(authentication: .keys(ADBAuthorizedKeys([ours.publicKey]), onUnknownKey: { _, _ in false }))
        let serial2 = "127.0.0.1:\(device2.port)"
        let connect2 = try await adb2("connect", serial2)
        #expect(connect2.stdoutText.contains("connected to"), "\(connect2.stdoutText)")
        #expect(try await adb2("-s", serial2, "shell", "echo", "ours").stdoutText == "ours\n")
        _ = try await adb2("disconnect", serial2)
        await adb2.killServer()
        await device2.stop()
    }

    /// An unknown key: the device shows its prompt, the host waits; accepting lets it in and the
    /// key is remembered, so the next connection needs no prompt.
    @Test func unknownKeyPromptThenRemembered() async throws {
        let trusted = ADBAuthorizedKeys()
        let prompts = PromptCounter()
        let device = try await TestDevice.start(
            authentication: .keys(
                trusted,
                onUnknownKey: { _, comment in
                    await prompts.increment()
                    try? await Task.sleep(for: .milliseconds(200))  // the user reads the dialog
                    return comment == "me@here"
                }))
        let dir = TemporaryDirectory()
        let keys = try ADBKeyStore.load(directory: dir.url, environment: ["LOGNAME": "me", "HOSTNAME": "here"])
        let hostPrompted = PromptCounter()
        let first = try await ADBHost.connect(
            transport: try await TCPPacketTransport.connect(host: "127.0.0.1", port: device.port), keys: keys
        ) { _ in Task { await hostPrompted.increment() } }
        #expect(try await first.shell("echo in").stdoutText == "in\n")
        await first.close()
        #expect(await prompts.count == 1)
        #expect(await trusted.all == [keys.primary.publicKey])

        let second = try await ADBHost.connect(
            transport: try await TCPPacketTransport.connect(host: "127.0.0.1", port: device.port), keys: keys)
        await second.close()
        #expect(await prompts.count == 1)
        await device.stop()
    }

    /// A refused prompt: the device stays silent, and the host gives up with a message that
    /// tells the user to look at the phone — no hang.
    @Test func refusedKeyTimesOutWithAClearMessage() async throws {
        let device = try await TestDevice.start(authentication: .keys(ADBAuthorizedKeys(), onUnknownKey: { _, _ in false }))
        let dir = TemporaryDirectory()
        let keys = try ADBKeyStore.load(directory: dir.url, environment: [:])
        var options = ADBHost.Options()
        options.authorizationTimeout = .milliseconds(300)
        do {
            _ = try await ADBHost.connect(
                transport: try await TCPPacketTransport.connect(host: "127.0.0.1", port: device.port), keys: keys, options: options)
            Issue.record("a refused key must not connect")
        } catch ADBError.unauthorized(let message) {
            #expect(message.contains("Allow USB debugging"))
        }
        await device.stop()
    }

    @Test func vendorKeysAreTriedInOrder() throws {
        let dir = TemporaryDirectory()
        let vendorDir = dir.url.appendingPathComponent("vendor")
        try FileManager.default.createDirectory(at: vendorDir, withIntermediateDirectories: true)
        let vendor = try ADBPrivateKey.generate()
        try Data(vendor.pkcs8PEM.utf8).write(to: vendorDir.appendingPathComponent("a.adb_key"))
        try Data("not a key".utf8).write(to: vendorDir.appendingPathComponent("ignored.txt"))
        let store = try ADBKeyStore.load(directory: dir.url.appendingPathComponent(".android"), environment: ["ADB_VENDOR_KEYS": vendorDir.path])
        #expect(store.keys.count == 2)
        #expect(store.keys[1].publicKey == vendor.publicKey)
    }
}

actor PromptCounter {
    var count = 0
    func increment() { count += 1 }
}
