import ADB
import AndroidPhone
import ArgumentParser
import Foundation
import Imaging

struct Tap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Tap the screen at X Y (pixels).")
    @OptionGroup var device: DeviceOptions
    @Argument var x: Int
    @Argument var y: Int
    @Flag(help: "Tap twice, inside the double-tap window.")
    var double = false
    @Option(help: ArgumentHelp("Hold for this many milliseconds (a long press).", valueName: "ms"))
    var hold: Int?

    func validate() throws {
        try validateScreenPoint(x, y)
        if let hold, !(0...600_000).contains(hold) { throw ValidationError("--hold must be between 0 and 600000 ms") }
    }

    func run() async throws {
        let phone = try await device.openPhone()
        if let hold {
            try await phone.longPress(x: x, y: y, duration: .milliseconds(hold))
        } else if double {
            try await phone.doubleTap(x: x, y: y)
        } else {
            try await phone.tap(x: x, y: y)
        }
        await phone.close()
    }
}
