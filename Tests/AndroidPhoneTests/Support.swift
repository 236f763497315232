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

extension Phone.Configuration {
    /// Each command on a stream of its own, so that `ShellRules` see commands one at a time.
    static var oneStreamPerCommand: Phone.Configuration {
        var c = Phone.Configuration()
        c.usePersistentShell = false
        return c
    }
}
