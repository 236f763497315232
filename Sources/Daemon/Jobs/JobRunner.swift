import Agent
import AndroidPhone
import Foundation
import Logging
import VirtualPhone
import ServiceLifecycle

/// Runs queued jobs: for every phone that is online and free, takes its lease and the oldest
/// job it may run, and runs the job in a child task of its own task group. A graceful shutdown
/// stops the running jobs (they end `interrupted`) and takes no new ones.
public final class JobRunner: Service, Sendable {
    let store: Store
    let devices: DeviceManager
    let controls: JobControls
    let metrics: DaemonMetrics
    let shortcuts: ShortcutLibrary
    /// The virtual phone's task definitions, for jobs with a `check`.
    let catalog: DeviceCatalog?
    /// The checkpoint `tetherd --model` serves: jobs that name its directory share it.
    let engine: ModelEngine?
    let stateDirectory: URL
    /// This host's name in the store: the jobs it claims are marked with it.
    let host: String?
    /// Pools of model servers by model name, for jobs that name only a model.
    let pools: [String: EndpointPool]
    let logger: Logger

    public init(
        store: Store, devices: DeviceManager, controls: JobControls, metrics: DaemonMetrics = DaemonMetrics(),
        shortcuts: ShortcutLibrary = .empty, catalog: DeviceCatalog? = nil, engine: ModelEngine? = nil,
        stateDirectory: URL, host: String? = nil, pools: [String: EndpointPool] = [:],
        logger: Logger = Logger(label: "tether.daemon.jobs")
    ) {
        self.store = store
        self.devices = devices
        self.controls = controls
        self.metrics = metrics
        self.shortcuts = shortcuts
        self.catalog = catalog
        self.engine = engine
        self.stateDirectory = stateDirectory
        self.host = host
        self.pools = pools
        self.logger = logger
    }

    public func run() async throws {
        // A graceful shutdown cancels the loop and the running jobs; a job cancelled without a
        // cancel request therefore ends `interrupted` (see `execute`).
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    for serial in await self.devices.freeSerials() {
                        guard let claimed = await self.claim(on: serial) else { continue }
                        group.addTask { await self.execute(claimed.job, phone: claimed.phone, serial: serial) }
                    }
                    do { try await Task.sleep(for: .milliseconds(200)) } catch { break }
                }
                group.cancelAll()
            }
        }
    }

    /// Leases the phone, then takes a job for it; gives the lease back when there is none. The
    /// phone is leased only when a job is waiting for it, so that an idle phone is never "busy"
    /// to the person driving it through the API between two looks at the queue.
    func claim(on serial: String) async -> (job: JobRecord, phone: Phone)? {
        let model = await devices.info(serial)?.model
        guard (try? await store.hasQueuedJob(for: serial, model: model)) == true else { return nil }
        let placeholder = "claiming"
        guard let phone = await devices.lease(serial, for: placeholder) else { return nil }
        let job: JobRecord?
        do { job = try await store.claimNext(for: serial, model: model, host: host) } catch {
            logger.error("cannot take a job", metadata: ["error": "\(error)"])
            job = nil
        }
        guard let job else {
            await devices.release(serial)
            return nil
        }
        await devices.relabel(serial, job: job.id)
        return (job, phone)
    }
}
