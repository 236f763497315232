import ADB
import AndroidPhone
import ArgumentParser
import Foundation
import Imaging

struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print what a person does on the phone as JSON lines: tap, long_press, swipe (with its path), pinch, key.",
        discussion: "Coordinates are screen pixels. Runs until interrupted. Taps made with `input` do not show: the kernel never sees them.")
    @OptionGroup var device: DeviceOptions
    @Option(help: "Stop after this many gestures.")
    var count: Int?

    func run() async throws {
        let phone = try await device.openPhone()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var seen = 0
        for try await gesture in phone.gestures() {
            writeStdout(String(decoding: try encoder.encode(gesture), as: UTF8.self) + "\n")
            seen += 1
            if let count, seen >= count { break }
        }
        await phone.close()
    }
}
