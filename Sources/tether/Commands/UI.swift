import ADB
import AndroidPhone
import ArgumentParser
import Foundation
import Imaging

struct UI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Print the UI hierarchy (uiautomator dump): an outline, --xml or --json.")
    @OptionGroup var device: DeviceOptions
    @Flag(help: "The raw XML.")
    var xml = false
    @Flag(help: "The tree as JSON.")
    var json = false

    func validate() throws {
        if xml && json { throw ValidationError("give --xml or --json, not both") }
    }

    func run() async throws {
        let phone = try await device.openPhone()
        if xml {
            writeStdout(try await phone.uiHierarchyXML() + "\n")
            await phone.close()
            return
        }
        let tree = try await phone.uiHierarchy()
        await phone.close()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            writeStdout(String(decoding: try encoder.encode(tree), as: UTF8.self) + "\n")
            return
        }
        func outline(_ node: UINode, _ depth: Int) {
            var line = String(repeating: "  ", count: depth) + (node.className.split(separator: ".").last.map(String.init) ?? node.className)
            if !node.text.isEmpty { line += " \"\(node.text)\"" }
            if !node.contentDescription.isEmpty { line += " desc=\"\(node.contentDescription)\"" }
            if !node.resourceId.isEmpty { line += " id=\(node.resourceId)" }
            line += " \(node.bounds)"
            let flags = [
                (node.clickable, "clickable"), (node.focused, "focused"), (node.checked, "checked"), (node.scrollable, "scrollable"),
                (!node.enabled, "disabled"), (node.selected, "selected")
            ].filter(\.0).map(\.1)
            if !flags.isEmpty { line += " " + flags.joined(separator: ",") }
            writeStdout(line + "\n")
            for child in node.children { outline(child, depth + 1) }
        }
        for node in tree.nodes { outline(node, 0) }
    }
}
