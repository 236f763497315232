import Agent
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import ServiceLifecycle
import VirtualPhone

/// The daemon assembled: store, devices, job runner and API, as services for one
/// `ServiceGroup`. `tetherd` runs it; tests run it in-process.
public struct TetherDaemon: Sendable {
    public let store: Store
    public let devices: DeviceManager
    public let runner: JobRunner
    public let token: String
    public let host: String
    public let port: Int
    public let stateDirectory: URL
    let controls: JobControls
    public let metrics: DaemonMetrics
    /// This host among the others sharing the store.
    public let identity: FleetIdentity
    /// The model pools, by model name.
    public let pools: [String: EndpointPool]
    let logger: Logger

    /// Whether the store is shared with other hosts (PostgreSQL).
    public var isFleet: Bool { store.database.dialect == .postgres }

    public let options: Options

    /// What a daemon is given beyond where it lives and listens: each face and feature adds its
    /// own field here, with a default that keeps it off.
    public struct Options: Sendable {
        /// TCP phones to connect at start ("host:port").
        public var devices: [String] = []
        /// Shortcut definitions offered to every job's agent.
        public var shortcuts: ShortcutLibrary = .empty
        /// Allow the routes that run shell commands on the phones.
        public var allowShell = false
        /// USB hotplug and an adb server to take phones from (nil: only the TCP phones given).
        public var discovery: DeviceDiscovery?
        /// The virtual phone's task definitions (Devices/), for jobs with a `check`.
        public var catalog: DeviceCatalog?
        /// The checkpoint served at `/v1/chat/completions` (`tetherd --model DIR`); nil serves
        /// none.
        public var model: ModelEngine?
        /// Where the store lives: nil, the SQLite file in the state directory; `postgres://…`,
        /// a PostgreSQL database several hosts share (docs/fleet.md).
        public var store: String?
        /// This host's id among those sharing the store (default: the machine's name).
        public var hostID: String?
        /// The URL the other hosts reach this one's API at (default: the listening address).
        public var advertise: String?
        /// How often a host of a fleet says it is alive, and how long a silence means it died.
        public var heartbeat: Duration = .seconds(2)
        public var hostTimeout: Duration = .seconds(10)
        /// Pools of OpenAI-compatible servers by model name (`--model-endpoint NAME=URL`): a
        /// job whose backend names only `model` uses its pool.
        public var modelEndpoints: [String: [String]] = [:]

        public init(devices: [String] = [], shortcuts: ShortcutLibrary = .empty, allowShell: Bool = false) {
            self.devices = devices
            self.shortcuts = shortcuts
            self.allowShell = allowShell
        }
    }

    /// Opens the store (marking jobs of a previous run `interrupted`) and makes the token.
    public init(
        stateDirectory: URL, host: String = "127.0.0.1", port: Int = DaemonConfiguration.defaultPort,
        options: Options = Options(), logger: Logger = Logger(label: "tether.daemon")
    ) async throws(StoreError) {
        self.stateDirectory = stateDirectory
        self.options = options
        store = try await Store.open(directory: stateDirectory, location: options.store)
        token = try APIToken.loadOrCreate(in: stateDirectory)
        identity = FleetIdentity(host: options.hostID ?? FleetIdentity.defaultHost, advertise: options.advertise)
        let shared = store.database.dialect == .postgres
        // Alone on its store, a host's restart finds every unfinished job its own.
        let recovered = try await store.recoverAfterRestart(host: shared ? identity.host : nil)
        if !recovered.interrupted.isEmpty {
            logger.warning("jobs interrupted by the last stop", metadata: ["jobs": "\(recovered.interrupted)", "queued again": "\(recovered.requeued)"])
        }
        pools = Dictionary(uniqueKeysWithValues: options.modelEndpoints.map { ($0.key, EndpointPool(model: $0.key, endpoints: $0.value)) })
        controls = JobControls()
        metrics = DaemonMetrics()
        devices = DeviceManager(store: store, addresses: options.devices, discovery: options.discovery, host: shared ? identity.host : nil)
        runner = JobRunner(
            store: store, devices: devices, controls: controls, metrics: metrics, shortcuts: options.shortcuts, catalog: options.catalog, engine: options.model,
            stateDirectory: stateDirectory, host: identity.host, pools: pools)
        self.host = host
        self.port = port
        self.logger = logger
        if !DaemonConfiguration.isLoopback(host) {
            logger.warning("listening on a non-loopback address: anyone who can reach \(host):\(port) and has the token can drive the phones")
        }
    }

    /// The HTTP server as a service. `onListening` gets the port it bound (useful with port 0).
    public func application(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some Service {
        var api = DaemonAPI(store: store, devices: devices, controls: controls, token: token, metrics: metrics)
        api.allowShell = options.allowShell
        api.catalog = options.catalog
        api.shortcuts = options.shortcuts
        api.modelEngine = options.model
        if isFleet { api.fleet = identity }
        api.pools = pools
        let logger = self.logger, identity = self.identity, host = self.host
        let router = api.router()
        return Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: .init(address: .hostname(host, port: port), serverName: "tetherd"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? 0
                logger.info("listening on \(host):\(bound)")
                identity.listening(host: host, port: bound)
                await onListening(bound)
            },
            logger: logger)
    }

    /// All services, in start order (the group stops them in reverse).
    public func services(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> [any Service] {
        // A service may not end before the group does: the health checks run only for pools.
        let health: [any Service] = pools.isEmpty ? [] : [EndpointHealthChecks(pools: pools.keys.sorted().compactMap { pools[$0] })]
        guard isFleet else { return [devices] + health + [runner, application(onListening: onListening)] }
        let member = FleetMember(
            store: store, devices: devices, controls: controls, identity: identity, token: token,
            interval: options.heartbeat, timeout: options.hostTimeout)
        return [StoreChangeListener(store: store), devices] + health + [member, runner, application(onListening: onListening)]
    }
}
