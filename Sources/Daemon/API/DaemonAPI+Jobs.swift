import Foundation
import Hummingbird

/// `/v1/jobs`: submit, list, show, cancel, steps, questions.
extension DaemonAPI {
    struct Answer: Decodable { var answer: String }

    func addJobRoutes(to router: Router<DaemonRequestContext>) {
        let store = self.store, controls = self.controls, devices = self.devices, catalog = self.catalog
        let pools = Set(self.pools.keys), fleet = self.fleet
        router.post("/v1/jobs") { request, _ in
            let body = try await RequestJSON.body(of: request)
            if try RequestJSON.kind(of: body) == "test" {
                let spec = try RequestJSON.decode(TestJobSpec.self, from: body)
                try spec.validate()
                return try await Self.submit(spec, store: store, devices: devices, fleet: fleet)
            }
            let spec = try RequestJSON.decode(RunJobSpec.self, from: body)
            try spec.validate(pools: pools)
            if let check = spec.check {
                guard let task = catalog?.task(check) else {
                    throw APIError.badRequest(
                        catalog == nil
                            ? "\"check\" needs the virtual phone's tasks: start tetherd with --devices DIR (the Devices folder)"
                            : "\"check\": no task \(check); tether vphone tasks lists them")
                }
                if !task.params.isEmpty, spec.seed == nil {
                    throw APIError.badRequest("\"check\": task \(check) is seeded; give \"seed\", the seed its phone was served with (tether vphone serve --task \(check) --seed N)")
                }
            }
            if let serial = spec.device, await !Self.knows(serial, devices: devices, store: store, fleet: fleet) {
                throw APIError.notFound("no device \(serial); add it with POST /v1/devices or leave \"device\" out")
            }
            return try await Self.guarded {
                var stored = spec
                stored.backend.apiKey = try spec.backend.apiKey.map { key throws(StoreError) in try store.secrets.seal(key) }
                let text = try stored.json()
                let job = try await store.enqueue(
                    kind: "run", spec: text, device: spec.device, model: spec.deviceModel,
                    requeueOnInterrupt: spec.retry?.deviceLost ?? false)
                return JSONResponse.make(["id": job.id, "status": job.status.rawValue], status: .created)
            }
        }
        router.get("/v1/jobs") { request, _ in
            var status: JobStatus?
            if let text = request.uri.queryParameters.get("status") {
                guard let s = JobStatus(rawValue: String(text)) else {
                    throw APIError.badRequest("status must be one of \(JobStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                status = s
            }
            return try await Self.guarded { JSONResponse.make(try await store.jobs(status: status).map { JobView($0) }) }
        }
        router.get("/v1/jobs/:id") { _, context in
            let job = try await Self.job(try Self.parameter("id", context), in: store)
            return JSONResponse.make(JobView(job, withSpec: true))
        }
        router.post("/v1/jobs/:id/cancel") { _, context in
            let job = try await Self.job(try Self.parameter("id", context), in: store)
            return try await Self.guarded {
                if job.status.isFinal { throw APIError.conflict("job \(job.id) already ended (\(job.status.rawValue))") }
                if try await store.cancelIfQueued(job.id) { return JSONResponse.make(["id": job.id, "status": "cancelled"]) }
                await controls.requestCancel(job.id)
                return JSONResponse.make(["id": job.id, "status": "cancelling"], status: .accepted)
            }
        }
        router.get("/v1/jobs/:id/steps") { _, context in
            let job = try await Self.job(try Self.parameter("id", context), in: store)
            return try await Self.guarded { JSONResponse.raw(EventView.list(try await store.events(of: job.id).filter { $0.kind == "step" })) }
        }
        router.get("/v1/jobs/:id/questions") { _, context in
            let job = try await Self.job(try Self.parameter("id", context), in: store)
            return try await Self.guarded { JSONResponse.make(try await store.questions(of: job.id).map(QuestionView.init)) }
        }
        router.post("/v1/jobs/:id/questions/:qid") { request, context in
            let job = try await Self.job(try Self.parameter("id", context), in: store)
            let qid = try Self.parameter("qid", context)
            let body = try await RequestJSON.decode(Answer.self, from: request)
            guard body.answer.count <= 10_000 else { throw APIError.badRequest("\"answer\" is longer than 10000 characters") }
            return try await Self.guarded {
                guard let question = try await store.questions(of: job.id).first(where: { $0.id == qid }) else {
                    throw APIError.notFound("job \(job.id) has no question \(qid); GET /v1/jobs/\(job.id)/questions lists them")
                }
                guard question.status == .pending else {
                    throw APIError.conflict("question \(qid) is \(question.status.rawValue); only a pending question takes an answer")
                }
                return JSONResponse.make(QuestionView(try await store.answer(qid, with: body.answer)))
            }
        }
    }

    static func job(_ id: String, in store: Store) async throws(APIError) -> JobRecord {
        let found: JobRecord?
        do { found = try await store.job(id) } catch { throw APIError(.serviceUnavailable, "the daemon's store failed: \(error.message)") }
        guard let found else { throw .notFound("no job \(id); GET /v1/jobs lists them") }
        return found
    }
}
