import Agent
import AsyncHTTPClient
import Logging
import ServiceLifecycle

/// Asks every server of the daemon's model pools, every `interval`, whether it answers
/// (`GET …/models` within 3 s; any answer below 500 counts): one that does not backs off, one
/// that answers again takes requests again.
public struct EndpointHealthChecks: Service {
    let pools: [EndpointPool]
    let interval: Duration
    let logger: Logger

    public init(pools: [EndpointPool], interval: Duration = .seconds(10), logger: Logger = Logger(label: "tether.daemon.pools")) {
        self.pools = pools
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await withDiscardingTaskGroup { group in
                    for pool in pools {
                        for url in pool.endpoints { group.addTask { await check(url, in: pool) } }
                    }
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    func check(_ url: String, in pool: EndpointPool) async {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        var request = HTTPClientRequest(url: base + "/models")
        request.method = .GET
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(3))
            _ = try? await response.body.collect(upTo: 1 << 20)
            let healthy = response.status.code < 500
            pool.checked(url, healthy: healthy, reason: healthy ? nil : "the health check got \(response.status.code)")
        } catch {
            pool.checked(url, healthy: false, reason: "the health check could not reach it: \(error)")
            logger.debug("model server not answering", metadata: ["url": "\(url)", "error": "\(error)"])
        }
    }
}
