import ADB
import AndroidPhone
import ArgumentParser
import Foundation
import Imaging

struct Key: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Press a key: HOME, BACK, ENTER, DEL, APP_SWITCH, VOLUME_UP, POWER, a KEYCODE_ name or a number.")
    @OptionGroup var device: DeviceOptions
    @Argument var name: String
    @Flag(help: "Hold it (a long press).")
    var long = false

    func validate() throws {
        if KeyCode(name: name) == nil {
            throw ValidationError("unknown key \"\(name)\"; try HOME, BACK, ENTER, DEL, APP_SWITCH or a key code from 0 to \(KeyCode.maxCode)")
        }
    }

    func run() async throws {
        let phone = try await device.openPhone()
        try await phone.key(KeyCode(name: name) ?? .home, longPress: long)
        await phone.close()
    }
}
