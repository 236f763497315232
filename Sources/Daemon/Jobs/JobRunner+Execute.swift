import Agent
import AndroidPhone
import Foundation
import Trajectory
import VirtualPhone

extension JobRunner {
    /// How a job's run ended, whichever came first.
    enum Ending<Value: Sendable>: Sendable {
        case outcome(Value)
        case cancelRequested
        case timedOut
    }

    /// Runs one claimed job on its leased phone to a final state, and gives the lease back.
    func execute(_ job: JobRecord, phone: Phone, serial: String) async {
        let (status, message) = await outcome(of: job, phone: phone, serial: serial)
        do { try await store.finish(job.id, status: status, message: message) } catch {
            logger.error("cannot record the end of a job", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
        if status == .failed, message.hasPrefix(Self.vanished), job.requeueOnInterrupt {
            await requeue(job)
        }
        await controls.forget(job.id)
        await devices.release(serial)
        logger.info("job ended", metadata: ["job": "\(job.id)", "status": "\(status.rawValue)", "message": "\(message)"])
    }

    func outcome(of job: JobRecord, phone: Phone, serial: String) async -> (JobStatus, String) {
        if job.kind == "test" { return await testOutcome(of: job, phone: phone, serial: serial) }
        var stored: RunJobSpec
        do { stored = try JSONDecoder().decode(RunJobSpec.self, from: Data(job.spec.utf8)) } catch {
            return (.failed, "the stored job is not a run job: \(error)")
        }
        if let sealed = stored.backend.apiKey {
            do { stored.backend.apiKey = try store.secrets.open(sealed) } catch { return (.failed, error.message) }
        }
        let spec = stored
        guard let choice = spec.backend.choice ?? spec.backend.model.flatMap({ pools[$0] }).map({ BackendChoice.pool($0, apiKey: spec.backend.apiKey) }) else {
            if let model = spec.backend.model { return (.failed, "this host has no pool of model servers for \(model) (tetherd --model-endpoint \(model)=URL)") }
            return (.failed, "the job names no backend")
        }
        let made: BackendChoice.Made
        if case .inProcess(let directory, nil, _) = choice, let engine, engine.serves(directory: directory) {
            // The daemon's loaded model: its queue and prefix cache, not a second copy.
            let shared = EngineBackend(engine: engine)
            made = BackendChoice.Made(backend: shared, counter: shared.counter)
        } else {
            do { made = try choice.make() } catch { return (.failed, "\(error)") }
        }
        // A server is asked first what it serves (and its context length), so that a wrong or
        // dead endpoint fails the job in seconds, before any step.
        if let server = made.server {
            do { try await server.probe() } catch {
                await made.shutdown()
                return (.failed, error.message)
            }
        }
        let relative = "episodes/\(job.id)"
        let episode = stateDirectory.appendingPathComponent(relative, isDirectory: true)
        try? await store.progress(job.id, steps: 0, episode: relative)

        let store = self.store, id = job.id, logger = self.logger, metrics = self.metrics
        let model = await devices.info(serial)?.model
        let human = APIOperator(store: store, job: id, timeout: .seconds(spec.questionSeconds), logger: logger)
        var configuration = AgentConfiguration(language: spec.language, maxSteps: spec.steps, tokenCounter: made.counter)
        configuration.timeZone = .current
        let agent = Agent(
            phone: AndroidPhoneControl(phone: phone), backend: made.backend,
            operator: PolicyOperator(sensitive: spec.sensitive, interactive: human), shortcuts: shortcuts,
            configuration: configuration, recordDirectory: episode,
            device: EpisodeInfo.Device(serial: serial, model: model), logger: logger,
            onStep: { event in
                metrics.record(event.timings)
                do {
                    try await store.append(event: "step", payload: StepPayload.make(event), to: id)
                    try await store.progress(id, steps: event.step)
                } catch {
                    logger.error("cannot record a step", metadata: ["job": "\(id)", "error": "\(error)"])
                }
            })

        let raced = await race(job: id, timeout: spec.seconds) { await agent.run(task: spec.task) }
        await made.shutdown()
        guard let ending = raced else { return (.interrupted, "interrupted: the daemon stopped while the job was running") }

        // Cancelled without a request: the daemon is stopping, whatever the run made of it.
        if Task.isCancelled, case .outcome = ending {
            return (.interrupted, "interrupted: the daemon stopped while the job was running")
        }
        switch ending {
        case .cancelRequested: return (.cancelled, "cancelled through the API")
        case .timedOut: return (.failed, "the job took longer than its timeout of \(Int(spec.seconds)) s")
        case .outcome(let outcome):
            switch outcome.status {
            case .finished:
                guard let check = spec.check else { return (.succeeded, outcome.message) }
                return await verify(check, seed: spec.seed, on: phone, after: outcome.message)
            case .cancelled: return (.interrupted, "interrupted: the daemon stopped while the job was running")
            case .failed, .running:
                if let gone = await devices.checkAlive(serial) { return (.failed, "\(Self.vanished): \(gone)") }
                return (.failed, outcome.message)
            }
        }
    }

    static let vanished = "the phone vanished"

    /// A job with a `check` succeeds only when the virtual phone's task check passes too: the
    /// phone's state decides, never the model's claim.
    func verify(_ check: String, seed: UInt64?, on phone: Phone, after message: String) async -> (JobStatus, String) {
        guard let task = catalog?.task(check).map({ t in seed.map { t.instance(seed: $0) } ?? t }) else {
            return (.failed, "the model finished, but there is no task \(check) to check (start tetherd with --devices DIR)")
        }
        do {
            let result = try await TaskChecker.check(task, on: phone.target)
            if result.passed { return (.succeeded, "\(message) (check \(check) passed)") }
            return (.failed, "the model finished (\(message)), but check \(check) failed: \(result.reasons.joined(separator: "; "))")
        } catch {
            return (.failed, "the model finished, but check \(check) could not run: \(error)")
        }
    }

    /// A job whose phone vanished, submitted with `retry.device_lost`, is queued again as a new job.
    func requeue(_ job: JobRecord) async {
        do {
            let again = try await store.enqueue(
                kind: job.kind, spec: job.spec, device: job.requestedDevice, model: job.requestedModel, requeueOnInterrupt: true)
            try await store.append(event: "requeued", payload: ["as": again.id], to: job.id)
            logger.info("job queued again after its phone vanished", metadata: ["job": "\(job.id)", "as": "\(again.id)"])
        } catch {
            logger.error("cannot queue the job again", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
    }

    /// Runs `body` until it ends, a cancel request arrives (checked every 100 ms) or the timeout
    /// passes; the others are cancelled and awaited, so the episode is finished on every path.
    func race<Value: Sendable>(
        job: String, timeout: Double, _ body: @escaping @Sendable () async -> Value
    ) async -> Ending<Value>? {
        let controls = self.controls
        return await withTaskGroup(of: Ending<Value>?.self) { group in
            group.addTask { .outcome(await body()) }
            group.addTask {
                while !Task.isCancelled {
                    if await controls.isCancelRequested(job) { return .cancelRequested }
                    do { try await Task.sleep(for: .milliseconds(100)) } catch { return nil }
                }
                return nil
            }
            group.addTask {
                do { try await Task.sleep(for: .seconds(timeout)) } catch { return nil }
                return .timedOut
            }
            var first: Ending<Value>?
            for await ending in group {
                guard first == nil, let ending else { continue }
                first = ending
                group.cancelAll()
            }
            return first
        }
    }
}
