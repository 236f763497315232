import ADB
import AndroidPhone
import ArgumentParser
import Foundation
import Imaging

struct TypeText: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "type",
        abstract: "Type text into the focused field (any Unicode through ADB Keyboard; ASCII without it).")
    @OptionGroup var device: DeviceOptions
    @Argument(help: "The text; several words are joined with spaces.")
    var text: [String]

    func run() async throws {
        let phone = try await device.openPhone()
        let method = try await phone.type(text.joined(separator: " "))
        await phone.close()
        FileHandle.standardError.write(Data("typed through \(method == .adbKeyboard ? "ADB Keyboard" : "input text")\n".utf8))
    }
}
