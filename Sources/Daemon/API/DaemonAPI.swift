import Agent
import AndroidPhone
import Foundation
import Hummingbird
import HummingbirdWebSocket
import VirtualPhone

/// The HTTP + WebSocket API (docs/api.yaml): one router, behind the bearer token.
public struct DaemonAPI: Sendable {
    let store: Store
    let devices: DeviceManager
    let controls: JobControls
    let token: String
    let version: String
    let metrics: DaemonMetrics
    /// The checkpoint served at `/v1/chat/completions` (`tetherd --model`); nil: none.
    var modelEngine: ModelEngine?
    /// Whether `POST /v1/devices/{serial}/shell` runs commands (`--allow-shell`).
    var allowShell = false
    /// The virtual phone's tasks, to refuse a job whose `check` names none.
    var catalog: DeviceCatalog?
    /// The shortcuts offered to jobs, and to MCP clients (run_shortcut).
    var shortcuts: ShortcutLibrary = .empty
    /// This host, when the store is shared with others: requests about their phones and jobs
    /// are passed on to them, and the device list shows every host's phones.
    var fleet: FleetIdentity?
    /// The pools of model servers jobs may name by model (`tetherd --model-endpoint`).
    var pools: [String: EndpointPool] = [:]

    public init(
        store: Store, devices: DeviceManager, controls: JobControls, token: String, metrics: DaemonMetrics,
        version: String = "0.1"
    ) {
        self.metrics = metrics
        self.store = store
        self.devices = devices
        self.controls = controls
        self.token = token
        self.version = version
    }

    public func router() -> Router<DaemonRequestContext> {
        let router = Router(context: DaemonRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: JSONErrorMiddleware())
        router.add(middleware: OpenAIErrorMiddleware())
        router.add(middleware: BearerAuthMiddleware(token: token))
        if let fleet { router.add(middleware: FleetProxyMiddleware(store: store, devices: devices, identity: fleet)) }
        router.get("/healthz") { _, _ in JSONResponse.make(["status": "ok", "version": version]) }
        addDeviceRoutes(to: router)
        addJobRoutes(to: router)
        addEventSocket(to: router)
        addMetricsRoute(to: router)
        addLiveSocket(to: router)
        addEpisodeRoutes(to: router)
        addWebRoutes(to: router)
        addModelServerRoutes(to: router)
        addShellRoute(to: router)
        addTestRoutes(to: router)
        addMCPRoute(to: router)
        addFleetRoutes(to: router)
        return router
    }

    /// Runs `body`, turning any error that is not already an API answer into one: a store
    /// failure is the daemon's, not the client's (503, try again).
    static func guarded(_ body: () async throws -> Response) async throws(APIError) -> Response {
        do { return try await body() } catch let error as APIError { throw error } catch let error as PhoneError {
            throw APIError(phone: error)
        } catch let error as StoreError {
            throw APIError(.serviceUnavailable, "the daemon's store failed: \(error.message); try again")
        } catch {
            throw APIError(.badGateway, "\(error)")
        }
    }

    /// Whether a job may ask for phone `serial`: this host has it, or (in a fleet) another does.
    static func knows(_ serial: String, devices: DeviceManager, store: Store, fleet: FleetIdentity?) async -> Bool {
        if await devices.info(serial) != nil { return true }
        guard let fleet else { return false }
        return (try? await store.owner(ofDevice: serial, except: fleet.host)) != nil
    }

    static func parameter(_ name: String, _ context: DaemonRequestContext) throws(APIError) -> String {
        guard let value = context.parameters.get(name), !value.isEmpty else { throw .badRequest("missing \(name) in the path") }
        return value
    }
}
