import ADB
import ArgumentParser
import Foundation

struct Devices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the phones Tether can reach: USB, and those of a running adb server.")

    @Flag(name: .customShort("l"), help: "Long output: device path, product, model and transport.")
    var long = false

    @Option(name: .long, help: ArgumentHelp("Ask the adb server at [HOST:]PORT.", valueName: "[host:]port"))
    var server: String?

    func run() async throws {
        let connector = DeviceConnector()
        let (devices, notes) = await connector.list(server: try server.map { try ADBServerClient(address: $0) })
        print("List of devices attached")
        for device in devices {
            if long {
                var line = device.serial.padding(toLength: max(22, device.serial.count), withPad: " ", startingAt: 0) + " " + device.state
                if let path = device.path { line += " " + path }
                if let product = device.product { line += " product:" + product }
                if let model = device.model { line += " model:" + model }
                if let name = device.device { line += " device:" + name }
                line += " transport:" + device.transport.rawValue
                print(line)
            } else {
                print("\(device.serial)\t\(device.state)")
            }
        }
        for note in notes { FileHandle.standardError.write(Data("tether: \(note)\n".utf8)) }
    }
}
