import Foundation
import Logging
import ServiceLifecycle

/// This host's part in a fleet sharing a PostgreSQL store: registers it, heartbeats with its
/// phones every `interval`, and reaps the hosts that stopped heartbeating for `timeout` (their
/// jobs become `interrupted`, re-queued when they asked). Should the others have declared this
/// host dead (it stalled past the timeout), it stops its own running jobs — they are already
/// interrupted and may run elsewhere — and registers again. A graceful stop unregisters it.
public final class FleetMember: Service, Sendable {
    let store: Store
    let devices: DeviceManager
    let controls: JobControls
    let identity: FleetIdentity
    let token: String
    let interval: Duration
    let timeout: Duration
    let logger: Logger

    public init(
        store: Store, devices: DeviceManager, controls: JobControls, identity: FleetIdentity, token: String,
        interval: Duration = .seconds(2), timeout: Duration = .seconds(10), logger: Logger = Logger(label: "tether.daemon.fleet")
    ) {
        self.store = store
        self.devices = devices
        self.controls = controls
        self.identity = identity
        self.token = token
        self.interval = interval
        self.timeout = timeout
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            guard let url = await self.advertisedURL() else { return }
            await self.register(url)
            while !Task.isCancelled {
                await self.beat(url)
                await self.reap()
                do { try await Task.sleep(for: self.interval) } catch { break }
            }
        }
        do { try await store.leave(host: identity.host) } catch {
            logger.error("cannot unregister this host", metadata: ["error": "\(error)"])
        }
    }

    /// Waits for the API's port (the URL other hosts use), unless it was given.
    func advertisedURL() async -> String? {
        while !Task.isCancelled {
            if let url = identity.url { return url }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    func register(_ url: String) async {
        do {
            try await store.register(host: identity.host, url: url, token: token)
            logger.info("host registered", metadata: ["host": "\(identity.host)", "url": "\(url)"])
        } catch {
            logger.error("cannot register this host", metadata: ["error": "\(error)"])
        }
    }

    func beat(_ url: String) async {
        let phones = await devices.list()
        do {
            if try await store.heartbeat(host: identity.host, devices: phones) { return }
        } catch {
            logger.error("cannot record a heartbeat", metadata: ["error": "\(error)"])
            return
        }
        // Declared dead: the jobs this host runs were interrupted (and may run elsewhere now).
        logger.error("the other hosts declared this host dead (it missed heartbeats); stopping its jobs and registering again")
        for phone in phones {
            if let job = phone.job { await controls.requestCancel(job) }
        }
        await register(url)
    }

    func reap() async {
        let deadline = Date().addingTimeInterval(-Double(timeout.components.seconds) - Double(timeout.components.attoseconds) / 1e18)
        do {
            for reaped in try await store.reapHosts(silentSince: deadline) {
                logger.warning(
                    "host stopped heartbeating; its jobs were interrupted",
                    metadata: ["host": "\(reaped.host)", "interrupted": "\(reaped.interrupted)", "queued again": "\(reaped.requeued)"])
            }
        } catch {
            logger.error("cannot reap the silent hosts", metadata: ["error": "\(error)"])
        }
    }
}
