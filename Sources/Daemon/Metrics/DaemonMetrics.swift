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
        phases = Dictionary(
            uniqueKeysWithValues: ["capture", "settle", "model", "act"].map { phase in
                (
                    phase,
                    registry.makeValueHistogram(
                        descriptor: MetricNameDescriptor(
                            namespace: "tether", metricName: "step_phase", unitName: "seconds",
                            helpText: "Seconds each phase of an agent step took"),
                        labels: [("phase", phase)], buckets: Self.buckets)
                )
            })
        steps = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "tether", metricName: "steps", unitName: "total",
                helpText: "Agent steps run by jobs"))
        jobs = Dictionary(
            uniqueKeysWithValues: JobStatus.allCases.map { status in
                (
                    status,
                    registry.makeGauge(
                        descriptor: MetricNameDescriptor(namespace: "tether", metricName: "jobs", unitName: "", helpText: "Jobs in the store by status"),
                        labels: [("status", status.rawValue)])
                )
            })
        devices = Dictionary(
            uniqueKeysWithValues: DeviceState.allCases.map { state in
                (
                    state,
                    registry.makeGauge(
                        descriptor: MetricNameDescriptor(namespace: "tether", metricName: "devices", unitName: "", helpText: "Phones by state"),
                        labels: [("state", state.rawValue)])
                )
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
