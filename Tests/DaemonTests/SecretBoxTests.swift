import Foundation
import TetherTestSupport
import Testing

@testable import Daemon

/// API keys are sealed before the store sees them, and opened again by the same state directory.
@Suite(.serialized) struct SecretBoxTests {
    @Test func aSealedSecretOpensOnlyWithItsStateDirectorysKey() throws {
        let scratch = TemporaryDirectory()
        let box = try SecretBox(directory: scratch.url)
        let sealed = try box.seal("sk-live-1234")
        #expect(sealed.hasPrefix("sealed:v1:") && !sealed.contains("sk-live-1234"))
        #expect(try box.seal("sk-live-1234") != sealed)  // a fresh nonce each time
        #expect(try box.open(sealed) == "sk-live-1234")
        // The key survives a restart: a new box on the same directory opens it.
        #expect(try SecretBox(directory: scratch.url).open(sealed) == "sk-live-1234")
        let attributes = try FileManager.default.attributesOfItem(atPath: scratch.url.appendingPathComponent("secret.key").path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        // Another directory's key cannot, and says what to do.
        let other = TemporaryDirectory()
        #expect {
            try SecretBox(directory: other.url).open(sealed)
        } throws: { ($0 as? StoreError)?.message.contains("resubmit") == true }
        // Text from before sealing is given back as it is.
        #expect(try box.open("plain-old-key") == "plain-old-key")
    }

    @Test func aDamagedKeyFileIsAnError() throws {
        let scratch = TemporaryDirectory()
        try Data("short".utf8).write(to: scratch.url.appendingPathComponent("secret.key"))
        #expect(throws: StoreError.self) { try SecretBox(directory: scratch.url) }
    }

    @Test func aSubmittedAPIKeyNeverReachesTheStoreInClear() async throws {
        try await withDaemon { daemon, api in
            let job: [String: Any] = [
                "task": "Go home", "device": "nowhere:1",
                "backend": ["endpoint": "http://127.0.0.1:9/v1", "model": "m", "api_key": "sk-never-in-clear-42"]
            ]
            // An unknown device is refused before anything is stored; submit without it.
            #expect(try await api.call(.POST, "/v1/jobs", json: job).status == 404)
            var queued = job
            queued["device"] = nil
            let id = try #require(try await api.call(.POST, "/v1/jobs", json: queued).json?["id"] as? String)
            let shown = try await api.call(.GET, "/v1/jobs/\(id)").json ?? [:]
            #expect(((shown["spec"] as? [String: Any])?["backend"] as? [String: Any])?["api_key"] as? String == "(hidden)")
            let stored = try #require(try await daemon.store.job(id)).spec
            #expect(!stored.contains("sk-never-in-clear-42") && stored.contains("sealed:v1:"))
            #expect(
                try daemon.store.secrets.open(
                    try JSONDecoder().decode(RunJobSpec.self, from: Data(stored.utf8)).backend.apiKey ?? "") == "sk-never-in-clear-42")
            // Nor in any of the store's files (the database, its WAL).
            for name in try FileManager.default.contentsOfDirectory(atPath: daemon.stateDirectory.path) where name.hasPrefix("store.sqlite") {
                let bytes = try Data(contentsOf: daemon.stateDirectory.appendingPathComponent(name))
                #expect(bytes.range(of: Data("sk-never-in-clear-42".utf8)) == nil, "\(name) holds the key")
            }
        }
    }
}
