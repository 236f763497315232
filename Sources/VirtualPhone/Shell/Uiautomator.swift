import ADB
import Foundation

/// `uiautomator dump`: the UI hierarchy as XML, to a file or the terminal.
extension VirtualPhoneShell {
    func uiautomator(_ args: [String], io: ShellIO) async throws -> Int32 {
        guard args.first == "dump" else {
            try await io.err("Usage: uiautomator <subcommand> [options]\n\nAvailable subcommands:\n\ndump: creates an XML dump of current UI hierarchy\n")
            return 1
        }
        let file = args.dropFirst().first { !$0.hasPrefix("-") } ?? "/sdcard/window_dump.xml"
        let xml = await phone.uiHierarchyXML()
        if file == "/dev/tty" || file == "/dev/stdout" {
            try await io.out(xml)
        } else {
            guard let path = try? files.hostPath(file), FileManager.default.createFile(atPath: path, contents: Data(xml.utf8)) else {
                try await io.err("ERROR: could not write \(file)\n")
                return 1
            }
        }
        try await io.out("UI hierchary dumped to: \(file)\n")
        return 0
    }
}
