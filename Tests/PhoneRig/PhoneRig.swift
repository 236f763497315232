import ADB
import AndroidPhone
import Foundation
import VirtualPhone

/// The repository's Devices directory, found from this file's path.
public let devicesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Devices")

/// The catalog of Devices/, loaded once for every test.
public let sharedCatalog: Result<DeviceCatalog, VirtualPhoneError> = Result { () throws(VirtualPhoneError) in
    try DeviceCatalog.load(from: devicesDirectory)
}

/// The one test rig for a virtual phone: served on 127.0.0.1 (a free port), reached through the
/// real ADB transport (TCP, CNXN, streams, shell v2) as a `Phone`. Commands can be answered by the
/// test instead of the phone through `rules`. Stop it with `stop()`, or use `withPhoneRig`.
public struct PhoneRig: Sendable {
    public let server: VirtualPhoneServer
    public let connection: ADBConnection
    public let phone: Phone
    public let rules: ShellRules
    public let catalog: DeviceCatalog

    public var device: VirtualPhone { server.phone }
    public var port: Int { server.port }

    public static func start(
        profile: String = "small-phone", seed: UInt64 = 1, task: String? = nil,
        configuration: Phone.Configuration = .init(),
        adjust: (inout DeviceCatalog) -> Void = { _ in }
    ) async throws -> PhoneRig {
        var catalog = try sharedCatalog.get()
        adjust(&catalog)
        let definition = try task.map { id in
            guard let t = catalog.task(id) else { throw VirtualPhoneError.notFound("no task \(id) in Devices/tasks") }
            return t.instance(seed: seed)  // a seeded task's values for the phone's seed
        }
        let rules = ShellRules()
        let server = try await VirtualPhoneServer.start(
            catalog: catalog,
            options: .init(profile: profile, seed: seed, port: 0, task: definition, shell: { RuledShell(base: $0, rules: rules) }))
        do {
            let transport = try await TCPPacketTransport.connect(host: "127.0.0.1", port: server.port)
            let connection = try await ADBHost.connect(transport: transport, keys: nil)
            // No label table: the phone reads labels from the APKs the virtual phone serves.
            let phone = Phone(target: connection, configuration: configuration)
            return PhoneRig(server: server, connection: connection, phone: phone, rules: rules, catalog: catalog)
        } catch {
            await server.stop()
            throw error
        }
    }

    public func stop() async {
        await phone.close()
        await connection.close()
        await server.stop()
    }
}

/// Runs `body` with a rig and always stops it.
public func withPhoneRig<T>(
    profile: String = "small-phone", seed: UInt64 = 1, task: String? = nil,
    configuration: Phone.Configuration = .init(),
    adjust: (inout DeviceCatalog) -> Void = { _ in },
    _ body: (PhoneRig) async throws -> T
) async throws -> T {
    let rig = try await PhoneRig.start(profile: profile, seed: seed, task: task, configuration: configuration, adjust: adjust)
    do {
        let value = try await body(rig)
        await rig.stop()
        return value
    } catch {
        await rig.stop()
        throw error
    }
}

/// Commands answered by a test instead of the virtual phone: the first rule whose prefix starts
/// the command line wins; a rule answering nil passes the line on.
public final class ShellRules: @unchecked Sendable {
    public typealias Handler = @Sendable (String, ShellIO) async -> Int32?
    private let lock = NSLock()
    private var rules: [(String, Handler)] = []

    public init() {}
    public func add(_ prefix: String, _ handler: @escaping Handler) { lock.withLock { rules.append((prefix, handler)) } }
    public func removeAll() { lock.withLock { rules.removeAll() } }
    var current: [(String, Handler)] { lock.withLock { rules } }
}

/// The phone's shell behind a test's rules.
public struct RuledShell: DeviceShell {
    let base: VirtualPhoneShell
    let rules: ShellRules

    public func run(_ commandLine: String, io: ShellIO) async -> Int32 {
        for (prefix, handler) in rules.current where commandLine.hasPrefix(prefix) {
            if let status = await handler(commandLine, io) { return status }
        }
        return await base.run(commandLine, io: io)
    }
}
