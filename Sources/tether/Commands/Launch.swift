import ADB
import AndroidPhone
import ArgumentParser
import Foundation
import Imaging

struct Launch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start an app, by package name or label, at its launcher activity.")
    @OptionGroup var device: DeviceOptions
    @Argument(help: "A package name (com.android.settings) or a label as `tether apps` prints it (Settings, 设置).")
    var app: String

    func run() async throws {
        let phone = try await device.openPhone()
        let package = try await phone.launch(app)
        await phone.close()
        FileHandle.standardError.write(Data("started \(package)\n".utf8))
    }
}
