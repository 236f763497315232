import ADB
import AndroidPhone
import Foundation
import Logging
import PhoneRig
import Testing
import VirtualPhone

/// This target's fixtures.
let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

func fixture(_ name: String) throws -> String {
    try String(contentsOf: fixturesDirectory.appendingPathComponent(name), encoding: .utf8)
}

/// The app labels the virtual phone's launcher shows, from its app definitions.
func catalogLabels() throws -> [String: String] {
    Dictionary(try sharedCatalog.get().apps.map { ($0.key, $0.value.label) }, uniquingKeysWith: { a, _ in a })
}

/// Waits (polling) until `condition` holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

extension Phone.Configuration {
    /// Each command on a stream of its own, so that `ShellRules` see commands one at a time.
    static var oneStreamPerCommand: Phone.Configuration {
        var c = Phone.Configuration()
        c.usePersistentShell = false
        return c
    }
}
