import Foundation
import TetherTestSupport
@testable import ADB

/// A device endpoint over a temporary directory, as tests use it.
struct TestDevice {
    let endpoint: ADBDeviceEndpoint
    let port: Int
    let root: TemporaryDirectory

    static let banner = ADBBanner(
        systemType: .device,
        properties: [("ro.product.name", "tetherprod"), ("ro.product.model", "TetherModel"), ("ro.product.device", "tetherdev")],
        features: ADBFeature.device)

    static func start(authentication: ADBDeviceEndpoint.Authentication = .none, banner: ADBBanner = banner) async throws -> TestDevice {
        let root = TemporaryDirectory()
        let files = DeviceFileSystem(root: root.url)
        try FileManager.default.createDirectory(at: root.url.appendingPathComponent("sdcard"), withIntermediateDirectories: true)
        let services = ADBDeviceServices(shell: BasicDeviceShell(files: files, properties: ["ro.product.model": "TetherModel"]), sync: SyncServer(files: files))
        var configuration = ADBDeviceEndpoint.Configuration(banner: banner, authentication: authentication)
        configuration.handshakeTimeout = .seconds(20)
        let endpoint = ADBDeviceEndpoint(services: services, configuration: configuration)
        var port = try freePort()
        var attempts = 0
        while true {
            do {
                try await endpoint.start(port: port)
                break
            } catch {
                attempts += 1
                if attempts > 5 { throw error }
                port = try freePort()
            }
        }
        return TestDevice(endpoint: endpoint, port: port, root: root)
    }

    func stop() async { await endpoint.stop() }
}
