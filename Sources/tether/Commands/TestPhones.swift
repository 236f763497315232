import ADB
import Agent
import AndroidPhone
import ArgumentParser
import Flows
import Foundation
import VirtualPhone

/// The phones `tether test` runs on: opened from -s / --connect / --server, or virtual phones it
/// starts itself; and the shortcuts of the Devices folder.
struct TestPhones {
    var phones: [FlowPhone]
    var shortcuts: ShortcutLibrary
    var servers: [VirtualPhoneServer] = []
    var connections: [ADBConnection] = []

    static func open(_ command: TestCommand) async throws -> TestPhones {
        let catalog: DeviceCatalog? = try? DeviceCatalog.load(from: command.devices.map { URL(fileURLWithPath: $0) } ?? DeviceCatalog.locate())
        let shortcuts = try DevicesFolder.shortcuts(of: catalog)
        var result = TestPhones(phones: [], shortcuts: shortcuts)
        if command.vphones > 0 {
            guard let catalog else { throw CommandFailure(description: "--vphones needs the Devices directory: give --devices DIR or run from the repository") }
            do {
                for i in 0..<command.vphones {
                    let server = try await VirtualPhoneServer.start(
                        catalog: catalog, options: .init(profile: command.vphoneProfile, seed: 1, port: 0, index: i))
                    result.servers.append(server)
                    let transport = try await TCPPacketTransport.connect(host: "127.0.0.1", port: server.port)
                    let connection = try await ADBHost.connect(transport: transport, keys: nil)
                    result.connections.append(connection)
                    result.phones.append(await FlowPhone.describe(Phone(target: connection), serial: server.serial))
                }
            } catch {
                await result.close()
                throw CommandFailure(description: "cannot start the virtual phones: \(error)")
            }
        } else {
            let connector = DeviceConnector { fingerprint in
                warn("the phone asks \"Allow USB debugging?\" for this computer (key \(fingerprint)); unlock it and tap Allow.")
            }
            var selections: [(DeviceSelection, String)] = command.addresses.map { (.tcp(address: $0), $0) }
            if let address = command.server {
                let client = try ADBServerClient(address: address)
                var serials = command.serials
                if serials.isEmpty { serials = try await client.devices().filter { $0.state == "device" }.map(\.serial) }
                guard !serials.isEmpty else { throw CommandFailure(description: "the adb server at \(address) has no phone ready") }
                selections += serials.map { (.server(client, serial: $0), $0) }
            } else if command.addresses.isEmpty {
                selections += (command.serials.isEmpty ? [nil] : command.serials.map(Optional.some)).map { (.automatic(serial: $0), $0 ?? "") }
            }
            for (selection, name) in selections {
                let target = try await connector.open(selection)
                var configuration = Phone.Configuration()
                configuration.labelCacheDirectory = Phone.defaultCacheDirectory
                let phone = Phone(target: target, configuration: configuration)
                var serial = name
                if serial.isEmpty { serial = (try? await phone.shell("getprop ro.serialno").stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? "phone" }
                result.phones.append(await FlowPhone.describe(phone, serial: serial))
            }
        }
        if let shards = command.shards, shards < result.phones.count {
            result.phones = Array(result.phones.prefix(shards))
        } else if let shards = command.shards, shards > result.phones.count {
            warn("--shards \(shards) but only \(result.phones.count) phone\(result.phones.count == 1 ? "" : "s"); running on those")
        }
        return result
    }

    func close() async {
        for phone in phones { await phone.phone.close() }
        for connection in connections { await connection.close() }
        for server in servers { await server.stop() }
    }
}
