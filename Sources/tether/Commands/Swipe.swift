import ADB
import AndroidPhone
import ArgumentParser
import Foundation
import Imaging

struct Swipe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Swipe from X1 Y1 to X2 Y2 (pixels).")
    @OptionGroup var device: DeviceOptions
    @Argument var x1: Int
    @Argument var y1: Int
    @Argument var x2: Int
    @Argument var y2: Int
    @Option(help: "Duration in milliseconds.")
    var ms: Int = 300

    func validate() throws {
        try validateScreenPoint(x1, y1)
        try validateScreenPoint(x2, y2)
        guard (0...600_000).contains(ms) else { throw ValidationError("--ms must be between 0 and 600000") }
    }

    func run() async throws {
        let phone = try await device.openPhone()
        try await phone.swipe(fromX: x1, fromY: y1, toX: x2, toY: y2, duration: .milliseconds(ms))
        await phone.close()
    }
}
