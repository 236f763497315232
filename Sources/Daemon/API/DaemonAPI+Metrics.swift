import Hummingbird

/// `GET /metrics`: Prometheus text (behind the token like every route but /healthz).
extension DaemonAPI {
    func addMetricsRoute(to router: Router<DaemonRequestContext>) {
        let store = self.store, devices = self.devices, metrics = self.metrics
        router.get("/metrics") { _, _ in
            try await Self.guarded {
                let text = metrics.render(jobCounts: try await store.jobCounts(), devices: await devices.list())
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                    body: .init(byteBuffer: ByteBuffer(string: text)))
            }
        }
    }
}
