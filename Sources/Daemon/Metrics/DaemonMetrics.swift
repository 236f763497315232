import Prometheus
import Trajectory

/// What `GET /metrics` shows, in the Prometheus text format: jobs by status and phones by state
/// (read when scraped), and how long each phase of a step took (recorded as steps end).
public final class DaemonMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let phases: [String: ValueHistogram]
    let steps: Counter
    let jobs: [JobStatus: Gauge]
    let devices: [DeviceState: Gauge]

    static let buckets: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120]

    public init() {
        let registry = self.registry
        phases = Dictionary(uniqueKeysWithValues: ["capture", "settle", "model", "act"].map { phase in
            (phase, registry.makeValueHistogram(name: "tether_step_phase_seconds", labels: [("phase", phase)],
                                                buckets: Self.buckets, help: "Seconds each phase of an agent step took"))
        })
        steps = registry.makeCounter(name: "tether_steps_total", help: "Agent steps run by jobs")
        jobs = Dictionary(uniqueKeysWithValues: JobStatus.allCases.map { status in
            (status, registry.makeGauge(name: "tether_jobs", labels: [("status", status.rawValue)], help: "Jobs in the store by status"))
        })
        devices = Dictionary(uniqueKeysWithValues: DeviceState.allCases.map { state in
            (state, registry.makeGauge(name: "tether_devices", labels: [("state", state.rawValue)], help: "Phones by state"))
        })
    }

    func record(_ timings: StepTimings) {
        steps.increment()
        phases["capture"]?.record(timings.capture)
        phases["settle"]?.record(timings.settle)
        phases["model"]?.record(timings.model)
        phases["act"]?.record(timings.act)
    }

    func render(jobCounts: [JobStatus: Int], devices list: [DeviceInfo]) -> String {
        for (status, gauge) in jobs { gauge.set(Double(jobCounts[status] ?? 0)) }
        for (state, gauge) in devices { gauge.set(Double(list.filter { $0.state == state }.count)) }
        return registry.emitToString()
    }
}
