import ADB
import AndroidPhone
import ArgumentParser
import Foundation
import Imaging

struct Unlock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn the screen on and swipe the lock screen away; fails when a PIN, pattern or password guards it.")
    @OptionGroup var device: DeviceOptions

    func run() async throws {
        let phone = try await device.openPhone()
        do { try await phone.unlock() } catch PhoneError.locked {
            await phone.close()
            throw CommandFailure(description: "the phone is locked with a PIN, pattern or password: unlock it on the phone")
        }
        await phone.close()
    }
}
