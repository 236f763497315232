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
    let logger: Logger

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
    ) throws(StoreError) {
        self.stateDirectory = stateDirectory
        self.options = options
        store = try Store(directory: stateDirectory)
        token = try APIToken.loadOrCreate(in: stateDirectory)
        let recovered = try store.recoverAfterRestart()
        if !recovered.interrupted.isEmpty {
            logger.warning("jobs interrupted by the last stop", metadata: ["jobs": "\(recovered.interrupted)", "queued again": "\(recovered.requeued)"])
        }
        controls = JobControls()
        metrics = DaemonMetrics()
        devices = DeviceManager(store: store, addresses: options.devices, discovery: options.discovery)
        runner = JobRunner(
            store: store, devices: devices, controls: controls, metrics: metrics, shortcuts: options.shortcuts, catalog: options.catalog, engine: options.model,
            stateDirectory: stateDirectory)
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
        let logger = self.logger
        let router = api.router()
        return Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: .init(address: .hostname(host, port: port), serverName: "tetherd"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? 0
                logger.info("listening on \(self.host):\(bound)")
                await onListening(bound)
            },
            logger: logger)
    }

    /// All services, in start order (the group stops them in reverse).
    public func services(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> [any Service] {
        [devices, runner, application(onListening: onListening)]
    }
}
