import ADB
import Foundation
import Logging

/// A virtual phone served over ADB on 127.0.0.1: connect with `adb connect 127.0.0.1:PORT`
/// or Tether's `TCPPacketTransport` + `ADBHost`.
public final class VirtualPhoneServer: Sendable {
    public let phone: VirtualPhone
    public let endpoint: ADBDeviceEndpoint
    public let port: Int
    /// The serial the adb server gives it.
    public var serial: String { "127.0.0.1:\(port)" }

    public struct Options: Sendable {
        public var profile: String
        public var seed: UInt64
        /// 0 picks a free port; otherwise 1024–65535, clear of 5555–5585 (the adb server probes
        /// those as emulators). `start` refuses any other.
        public var port: Int
        public var index: Int
        /// Require RSA auth: keys in this list are accepted; others are refused (or, with
        /// `acceptUnknownKeys`, accepted and remembered as a user tapping "Allow" would).
        public var authorizedKeys: ADBAuthorizedKeys?
        public var acceptUnknownKeys: Bool
        public var task: TaskDefinition?
        public var root: URL?
        /// Wraps the phone's shell (tests answer some commands themselves this way).
        public var shell: (@Sendable (VirtualPhoneShell) -> any DeviceShell)?

        public init(
            profile: String = "pixel-7", seed: UInt64 = 1, port: Int = 0, index: Int = 0,
            authorizedKeys: ADBAuthorizedKeys? = nil, acceptUnknownKeys: Bool = true, task: TaskDefinition? = nil, root: URL? = nil,
            shell: (@Sendable (VirtualPhoneShell) -> any DeviceShell)? = nil
        ) {
            self.profile = profile
            self.seed = seed
            self.port = port
            self.index = index
            self.authorizedKeys = authorizedKeys
            self.acceptUnknownKeys = acceptUnknownKeys
            self.task = task
            self.root = root
            self.shell = shell
        }
    }

    init(phone: VirtualPhone, endpoint: ADBDeviceEndpoint, port: Int) {
        self.phone = phone
        self.endpoint = endpoint
        self.port = port
    }

    /// Makes a phone and starts serving it.
    public static func start(
        catalog: DeviceCatalog, options: Options = Options(),
        logger: Logger = Logger(label: "tether.vphone")
    ) async throws -> VirtualPhoneServer {
        if options.port != 0 { _ = try ports(first: options.port, count: 1) }
        let phone = try VirtualPhone(
            catalog: catalog, profile: options.profile, seed: options.seed, index: options.index,
            root: options.root, task: options.task, logger: logger)
        let files = DeviceFileSystem(root: phone.root)
        let shell = VirtualPhoneShell(phone: phone)
        let served: any DeviceShell = options.shell.map { $0(shell) } ?? shell
        let services = ADBDeviceServices(shell: served, sync: SyncServer(files: files))
        let p = phone.profile.properties
        let banner = ADBBanner(
            systemType: .device,
            properties: [
                ("ro.product.name", p["ro.product.name"] ?? "vphone"), ("ro.product.model", p["ro.product.model"] ?? "VirtualPhone"),
                ("ro.product.device", p["ro.product.device"] ?? "vphone")
            ],
            features: ADBFeature.device)
        var auth = ADBDeviceEndpoint.Authentication.none
        if let keys = options.authorizedKeys {
            let accept = options.acceptUnknownKeys
            auth = .keys(keys, onUnknownKey: { _, _ in accept })
        }
        let endpoint = ADBDeviceEndpoint(services: services, configuration: .init(banner: banner, authentication: auth), logger: logger)
        let port = try await endpoint.start(host: "127.0.0.1", port: options.port)
        return VirtualPhoneServer(phone: phone, endpoint: endpoint, port: port)
    }

    /// Stops serving; with `removeFiles`, deletes the phone's file tree.
    public func stop(removeFiles: Bool = true) async {
        await endpoint.stop()
        if removeFiles { await phone.removeFiles() }
    }
}
