import ADB
import AndroidPhone
import ArgumentParser
import Foundation
import Imaging

struct Apps: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List installed packages, their launcher activities and labels (read from the APKs, in the phone's locale).")
    @OptionGroup var device: DeviceOptions
    @Flag(help: "Only apps with a launcher entry.")
    var launchable = false
    @Flag(help: "JSON output.")
    var json = false

    func run() async throws {
        let phone = try await device.openPhone()
        var apps = try await phone.apps()
        let front = try? await phone.foregroundApp()
        await phone.close()
        if launchable { apps = apps.filter { $0.launcherActivity != nil } }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            writeStdout(String(decoding: try encoder.encode(apps), as: UTF8.self) + "\n")
            return
        }
        for app in apps {
            let marker = app.package == front?.package ? "*" : " "
            var line = "\(marker) \(app.package)"
            if let activity = app.launcherActivity { line += "\t\(activity)\t\(app.label ?? "-")" }
            writeStdout(line + "\n")
            if let problem = app.labelError { FileHandle.standardError.write(Data("\(app.package): \(problem)\n".utf8)) }
        }
    }
}
