import ADB
import AndroidPhone
import Foundation
import Logging
import Testing
import VirtualPhone

/// The repository's Devices directory, found from this file's path.
let devicesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Devices")

let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

func fixture(_ name: String) throws -> String {
    try String(contentsOf: fixturesDirectory.appendingPathComponent(name), encoding: .utf8)
}

let sharedCatalog: Result<DeviceCatalog, VirtualPhoneError> = Result { () throws(VirtualPhoneError) in
    try DeviceCatalog.load(from: devicesDirectory)
}

/// The app labels the virtual phone's launcher shows, from its app definitions.
func catalogLabels() throws -> [String: String] {
    Dictionary(try sharedCatalog.get().apps.map { ($0.key, $0.value.label) }, uniquingKeysWith: { a, _ in a })
}

/// Commands answered by a test instead of the virtual phone: the first rule whose prefix starts
/// the command line wins; a rule answering nil passes the line on.
final class ShellRules: @unchecked Sendable {
    typealias Handler = @Sendable (String, ShellIO) async -> Int32?
    private let lock = NSLock()
    private var rules: [(String, Handler)] = []

    func add(_ prefix: String, _ handler: @escaping Handler) { lock.withLock { rules.append((prefix, handler)) } }
    func removeAll() { lock.withLock { rules.removeAll() } }
    var current: [(String, Handler)] { lock.withLock { rules } }
}

struct RuledShell: DeviceShell {
    let base: VirtualPhoneShell
    let rules: ShellRules

    func run(_ commandLine: String, io: ShellIO) async -> Int32 {
        for (prefix, handler) in rules.current where commandLine.hasPrefix(prefix) {
            if let status = await handler(commandLine, io) { return status }
        }
        return await base.run(commandLine, io: io)
    }
}

/// A virtual phone served on 127.0.0.1 and a `Phone` connected to it through the real ADB
/// transport (TCP, CNXN, streams, shell v2).
struct Rig {
    let device: VirtualPhone
    let endpoint: ADBDeviceEndpoint
    let connection: ADBConnection
    let phone: Phone
    let rules: ShellRules
    let port: Int

    static func start(profile: String = "small-phone", configuration: Phone.Configuration = .init(),
                      adjust: (inout DeviceCatalog) -> Void = { _ in }) async throws -> Rig {
        var catalog = try sharedCatalog.get()
        adjust(&catalog)
        let device = try VirtualPhone(catalog: catalog, profile: profile, seed: 1)
        let rules = ShellRules()
        let services = ADBDeviceServices(shell: RuledShell(base: VirtualPhoneShell(phone: device), rules: rules),
                                         sync: SyncServer(files: DeviceFileSystem(root: device.root)))
        let banner = ADBBanner(systemType: .device, properties: [("ro.product.model", "VirtualPhone")], features: ADBFeature.device)
        let endpoint = ADBDeviceEndpoint(services: services, configuration: .init(banner: banner))
        let port = try await endpoint.start(host: "127.0.0.1", port: 0)
        let connection = try await ADBHost.connect(transport: try await TCPPacketTransport.connect(host: "127.0.0.1", port: port), keys: nil)
        // No appLabels: the phone reads labels from the APKs the virtual phone serves.
        let phone = Phone(target: connection, configuration: configuration)
        return Rig(device: device, endpoint: endpoint, connection: connection, phone: phone, rules: rules, port: port)
    }

    func stop() async {
        await phone.close()
        await connection.close()
        await endpoint.stop()
        await device.removeFiles()
    }
}

/// Runs `body` with a rig and always stops it.
func withRig<T>(profile: String = "small-phone", configuration: Phone.Configuration = .init(),
                adjust: (inout DeviceCatalog) -> Void = { _ in },
                _ body: (Rig) async throws -> T) async throws -> T {
    let rig = try await Rig.start(profile: profile, configuration: configuration, adjust: adjust)
    do {
        let value = try await body(rig)
        await rig.stop()
        return value
    } catch {
        await rig.stop()
        throw error
    }
}

/// Waits (polling) until `condition` holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

extension Phone.Configuration {
    /// Each command on a stream of its own, so that `ShellRules` see commands one at a time.
    static var oneStreamPerCommand: Phone.Configuration {
        var c = Phone.Configuration()
        c.usePersistentShell = false
        return c
    }
}
