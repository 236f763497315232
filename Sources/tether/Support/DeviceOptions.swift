import ADB
import ArgumentParser
import Foundation

/// The device-selection flags every device command shares.
struct DeviceOptions: ParsableArguments {
    @Option(name: .customShort("s"), help: "Serial of the device (default: $ANDROID_SERIAL, or the only device).")
    var serial: String?

    @Option(name: .long, help: ArgumentHelp("Talk to HOST:PORT directly over TCP (no adb server).", valueName: "host:port"))
    var connect: String?

    @Option(name: .long, help: ArgumentHelp("Go through a running adb server at [HOST:]PORT (5037 is adb's).", valueName: "[host:]port"))
    var server: String?

    func validate() throws {
        if connect != nil, server != nil {
            throw ValidationError("--connect and --server pick different paths to a device; give one of them")
        }
    }

    var selection: DeviceSelection {
        get throws {
            if let connect { return .tcp(address: connect) }
            if let server { return .server(try ADBServerClient(address: server), serial: serial) }
            return .automatic(serial: serial)
        }
    }

    /// Opens the device, telling the user to look at the phone when it asks to trust our key.
    func open() async throws -> any ADBTarget {
        let connector = DeviceConnector { fingerprint in
            FileHandle.standardError.write(
                Data(
                    "tether: the phone asks \"Allow USB debugging?\" for this computer (key \(fingerprint)); unlock it and tap Allow.\n".utf8))
        }
        return try await connector.open(try selection)
    }
}
