import Basics
import ADB
import Agent
import ArgumentParser
import Daemon
import Foundation
import Logging
import Inference
import ServiceLifecycle
import VirtualPhone

/// `tetherd`: the Tether daemon. Argument parsing and wiring only; the daemon is `Daemon`.
@main
struct TetherD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tetherd",
        abstract: "The Tether daemon: a job queue, the phones and an HTTP + WebSocket API (docs/daemon.md).",
        discussion: """
            Listens on 127.0.0.1:\(DaemonConfiguration.defaultPort) unless told otherwise. Every route but /healthz \
            needs Authorization: Bearer <token>; the token is made at the first start in <state-dir>/token (mode 0600). \
            SIGTERM or SIGINT stops it gracefully: running jobs end interrupted, queued jobs stay queued.
            """)

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Where the store, the token and the episodes live (default: $XDG_STATE_HOME/tether or ~/.local/state/tether).", valueName: "dir"))
    var stateDir: String?

    @Option(help: ArgumentHelp("Address to listen on (default 127.0.0.1:\(DaemonConfiguration.defaultPort)); a non-loopback address logs a warning.", valueName: "host:port"))
    var listen: String?

    @Flag(name: .customLong("allow-shell"), help: "Allow API routes that run shell commands on the phones (off by default).")
    var allowShell = false

    @Option(help: ArgumentHelp("A JSON config file: {\"state_dir\", \"listen\", \"devices\": [\"host:port\"], \"allow_shell\"}; flags win.", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("A folder of shortcut definitions (e.g. Devices/shortcuts) offered to every job (default: none).", valueName: "dir"))
    var shortcuts: String?

    @Option(help: ArgumentHelp("A checkpoint directory to load once and serve at /v1/chat/completions, OpenAI-compatible (docs/model-server.md).", valueName: "dir"))
    var model: String?

    @Option(help: ArgumentHelp("With --model: how activations enter each matrix product: f32 (default; equal to transformers) or bf16 (as torch in bf16; faster, docs/model.md). Run jobs that name this checkpoint run on this engine, at this precision.", valueName: "f32|bf16"))
    var precision: ComputeOptions.Precision?

    @Option(
        help: ArgumentHelp(
            "With --model: int8 quantizes the weights at load; int8-text the decoder's only (docs/model.md).",
            valueName: "int8|int8-text"))
    var quantize: ComputeOptions.Quantization?

    @Option(help: ArgumentHelp("With --model: threads for the model's work (default: every core).", valueName: "n"))
    var threads: Int?

    @Option(name: .customLong("model-queue"), help: ArgumentHelp("Chat requests that may wait while one generates; more get 429 (default \(ModelEngine.defaultQueueLimit)).", valueName: "n"))
    var modelQueue: Int?

    @Option(name: .customLong("device"), help: ArgumentHelp("A TCP phone to connect at start (repeatable).", valueName: "host:port"))
    var devices: [String] = []

    @Option(name: .customLong("devices"), help: ArgumentHelp("The Devices folder (virtual-phone tasks) for jobs with a \"check\" (default: found from the current directory or $TETHER_DEVICES, when there is one).", valueName: "dir"))
    var devicesDirectory: String?

    @Option(help: ArgumentHelp("Where the job queue and device registry live: \"sqlite\" (default, <state-dir>/store.sqlite) or postgres://USER[:PASSWORD]@HOST[:PORT]/DB, shared by several tetherd hosts (docs/fleet.md).", valueName: "sqlite|url"))
    var store: String?

    @Option(name: .customLong("model-endpoint"), help: ArgumentHelp("A server of a pool for a model name: jobs whose backend names only that \"model\" go round robin to its healthy servers (repeatable; e.g. autoglm-phone-9b=http://gpu1:8000/v1).", valueName: "name=url"))
    var modelEndpoints: [String] = []

    @Option(name: .customLong("host-id"), help: ArgumentHelp("This host's name among those sharing a PostgreSQL store (default: the machine's name).", valueName: "name"))
    var hostID: String?

    @Option(help: ArgumentHelp("With a PostgreSQL store: the URL other hosts reach this one's API at (default: http://<listen address>).", valueName: "url"))
    var advertise: String?

    @Option(name: .customLong("host-timeout"), help: ArgumentHelp("With a PostgreSQL store: seconds without a heartbeat (sent every 2 s) after which a host counts as dead and its jobs are interrupted (default 10).", valueName: "s"))
    var hostTimeout: Double?

    @Flag(inversion: .prefixedNo, help: "Take USB phones as they are plugged in (libusb hotplug; default on).")
    var usb: Bool?

    @Option(name: .customLong("adb-server"), help: ArgumentHelp("Take the phones of this running adb server, or \"off\" (default: $ANDROID_ADB_SERVER_PORT or 127.0.0.1:5037, retried until it runs).", valueName: "host:port|off"))
    var adbServer: String?

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardOutput(label: $0) }
        let logger = Logger(label: "tetherd")
        let file = try config.map { path in try DaemonConfiguration.load(path) } ?? DaemonConfiguration()
        let address = try DaemonConfiguration.parseListen(listen ?? file.listen ?? "127.0.0.1:\(DaemonConfiguration.defaultPort)")
        let state = StateDirectory.resolve(explicit: stateDir ?? file.stateDirectory)
        var library = ShortcutLibrary.empty
        if let folder = shortcuts ?? file.shortcuts {
            do { library = try ShortcutLibrary.load(directory: folder) } catch {
                throw StartFailure(description: "cannot load the shortcuts in \(folder): \(error)")
            }
        }
        var options = TetherDaemon.Options(devices: (file.devices ?? []) + devices, shortcuts: library, allowShell: allowShell || file.allowShell == true)
        options.catalog = try Self.catalog(devicesDirectory ?? file.devicesDirectory, logger: logger)
        options.discovery = try Self.discovery(usb: usb ?? file.usb ?? true, server: adbServer ?? file.adbServer)
        options.modelEndpoints = file.modelEndpoints ?? [:]
        for entry in modelEndpoints {
            guard let equals = entry.firstIndex(of: "="), !entry[..<equals].isEmpty,
                let url = URL(string: String(entry[entry.index(after: equals)...])), ["http", "https"].contains(url.scheme ?? "")
            else { throw StartFailure(description: "--model-endpoint must be NAME=http(s)://HOST:PORT/v1, not \(entry)") }
            options.modelEndpoints[String(entry[..<equals]), default: []].append(url.absoluteString)
        }
        options.store = store ?? file.store
        options.hostID = hostID ?? file.hostID
        options.advertise = advertise ?? file.advertise
        if let seconds = hostTimeout ?? file.hostTimeout {
            guard seconds >= 1 else { throw StartFailure(description: "--host-timeout must be 1 s or more (heartbeats come every 2 s), not \(seconds)") }
            options.hostTimeout = .milliseconds(Int(seconds * 1000))
            options.heartbeat = min(options.heartbeat, .milliseconds(Int(seconds * 1000 / 3)))
        }
        if let directory = model ?? file.model {
            let queue = modelQueue ?? file.modelQueue ?? ModelEngine.defaultQueueLimit
            guard queue >= 0 else { throw StartFailure(description: "--model-queue must be 0 or more, not \(queue)") }
            logger.info("loading the model", metadata: ["directory": "\(directory)"])
            if let threads {
                guard threads > 0 else { throw StartFailure(description: "--threads must be 1 or more, not \(threads)") }
                ComputeOptions.setThreads(threads)
            }
            let compute = ComputeOptions(precision: precision ?? .f32, quantization: quantize)
            do { options.model = try ModelEngine(directory: directory, queueLimit: queue, compute: compute) } catch {
                throw StartFailure(description: "\(error); check --model (a Glm4vForConditionalGeneration checkpoint directory, docs/model.md)")
            }
        }
        let daemon = try await TetherDaemon(
            stateDirectory: state, host: address.host, port: address.port, options: options, logger: logger)
        logger.info(
            "tetherd starting",
            metadata: [
                "state": "\(state.path)", "token": "\(APIToken.file(in: state).path)",
                "allow-shell": "\(allowShell || file.allowShell == true)"
            ])
        let group = ServiceGroup(
            configuration: .init(
                services: daemon.services().map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do { try await group.run() } catch {
            let text = "\(error)"
            if text.contains("Address already in use") {
                throw StartFailure(description: "cannot listen on \(address.host):\(address.port): the port is in use (another tetherd?); stop it or pick another with --listen")
            }
            throw StartFailure(description: "tetherd stopped on an error: \(text)")
        }
        logger.info("tetherd stopped")
    }
}

extension TetherD {
    /// The task catalog: the folder given (which must load), else the one found, else none.
    static func catalog(_ explicit: String?, logger: Logger) throws -> DeviceCatalog? {
        if let explicit {
            do { return try DeviceCatalog.load(from: URL(fileURLWithPath: explicit)) } catch {
                throw StartFailure(description: "cannot load the Devices folder \(explicit): \(error)")
            }
        }
        guard let found = try? DeviceCatalog.locate() else { return nil }
        do { return try DeviceCatalog.load(from: found) } catch {
            logger.warning("ignoring the Devices folder found", metadata: ["path": "\(found.path)", "error": "\(error)"])
            return nil
        }
    }

    static func discovery(usb: Bool, server: String?) throws -> DeviceDiscovery? {
        var client: ADBServerClient? = ADBServerClient.fromEnvironment()
        if let server {
            if server == "off" {
                client = nil
            } else {
                do { client = try ADBServerClient(address: server) } catch {
                    throw StartFailure(description: "--adb-server must be HOST:PORT, PORT or off, not \"\(server)\": \(error)")
                }
            }
        }
        if !usb && client == nil { return nil }
        return DeviceDiscovery(usb: usb, server: client)
    }
}

struct StartFailure: Error, CustomStringConvertible {
    var description: String
}

extension StoreError: LocalizedError {
    public var errorDescription: String? { message }
}

extension ComputeOptions.Precision: ExpressibleByArgument {}
extension ComputeOptions.Quantization: ExpressibleByArgument {}
