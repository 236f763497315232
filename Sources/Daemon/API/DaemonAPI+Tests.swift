import Foundation
import Hummingbird

/// Test jobs (`"kind": "test"`): submitting one, and its results and reports once it ran.
extension DaemonAPI {
    static func submit(_ spec: TestJobSpec, store: Store, devices: DeviceManager, fleet: FleetIdentity?) async throws -> Response {
        if let serial = spec.device, await !knows(serial, devices: devices, store: store, fleet: fleet) {
            throw APIError.notFound("no device \(serial); add it with POST /v1/devices or leave \"device\" out")
        }
        return try await guarded {
            var stored = spec
            stored.backend?.apiKey = try spec.backend?.apiKey.map { key throws(StoreError) in try store.secrets.seal(key) }
            let job = try await store.enqueue(
                kind: "test", spec: try stored.json(), device: spec.device, model: spec.deviceModel, requeueOnInterrupt: spec.retry?.deviceLost ?? false)
            return JSONResponse.make(["id": job.id, "status": job.status.rawValue], status: .created)
        }
    }

    /// `GET /v1/jobs/{id}/results` (every flow's result, JSON) and `GET /v1/jobs/{id}/report`
    /// (the HTML report; `?format=junit` the JUnit XML), once a test job has ended.
    func addTestRoutes(to router: Router<DaemonRequestContext>) {
        let store = self.store, state = store.directory
        router.get("/v1/jobs/:id/results") { _, context in
            let folder = try await Self.finishedTest(try Self.parameter("id", context), store: store, state: state)
            return try Self.file(folder.appendingPathComponent("results.json"), type: "application/json")
        }
        router.get("/v1/jobs/:id/report") { request, context in
            let folder = try await Self.finishedTest(try Self.parameter("id", context), store: store, state: state)
            switch request.uri.queryParameters.get("format") ?? "html" {
            case "html": return try Self.file(folder.appendingPathComponent("report/index.html"), type: "text/html; charset=utf-8")
            case "junit": return try Self.file(folder.appendingPathComponent("junit.xml"), type: "application/xml")
            case let other: throw APIError.badRequest("format must be html or junit, not \(other)")
            }
        }
    }

    static func finishedTest(_ id: String, store: Store, state: URL) async throws(APIError) -> URL {
        let job = try await Self.job(id, in: store)
        guard job.kind == "test" else { throw .notFound("job \(id) is a \(job.kind) job; only test jobs have results") }
        guard job.status.isFinal else { throw .conflict("job \(id) is \(job.status.rawValue); its results come when it ends") }
        return JobRunner.testFolder(id, in: state)
    }

    static func file(_ url: URL, type: String) throws(APIError) -> Response {
        guard let data = try? Data(contentsOf: url) else {
            throw .notFound("the job ended before its flows ran, so it has no \(url.lastPathComponent)")
        }
        return Response(
            status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
