import Agent
import AndroidPhone
import Flows
import Foundation

extension JobRunner {
    /// Where a test job keeps its flows, reports and evidence: `<state>/tests/<job id>/`.
    static func testFolder(_ job: String, in state: URL) -> URL {
        state.appendingPathComponent("tests/\(job)", isDirectory: true)
    }

    /// Runs a `test` job's flows on its phone, as `tether test` does: one event per flow (its
    /// result), then `results.json`, `junit.xml` and `report/index.html` in the job's folder.
    /// Succeeds only when every flow passed (flaky and skipped count as passed).
    func testOutcome(of job: JobRecord, phone: Phone, serial: String) async -> (JobStatus, String) {
        let spec: TestJobSpec
        do { spec = try JSONDecoder().decode(TestJobSpec.self, from: Data(job.spec.utf8)) } catch {
            return (.failed, "the stored job is not a test job: \(error)")
        }
        let folder = Self.testFolder(job.id, in: stateDirectory)
        let flows: [Flow]
        do { flows = try spec.load(into: folder.appendingPathComponent("flows")) } catch {
            return (.failed, error.description.replacingOccurrences(of: folder.path + "/flows/", with: ""))
        }
        var made: BackendChoice.Made?
        if let backend = spec.backend {
            var choice = backend
            if let sealed = choice.apiKey {
                do { choice.apiKey = try store.secrets.open(sealed) } catch { return (.failed, error.message) }
            }
            guard let named = choice.choice else { return (.failed, "the job's backend names no model") }
            do { made = try named.make() } catch { return (.failed, "\(error)") }
        }
        var options = FlowRunOptions(outputDirectory: folder.appendingPathComponent("output"))
        options.variables = spec.env ?? [:]
        options.backend = made?.backend
        options.shortcuts = shortcuts
        options.episodesDirectory = folder.appendingPathComponent("episodes")
        options.thumbnails = true
        let suite = {
            var suite = FlowSuite(flows: flows, options: options, retries: spec.retries ?? 0)
            suite.includeTags = Set(spec.includeTags ?? [])
            suite.excludeTags = Set(spec.excludeTags ?? [])
            return suite
        }()
        try? await store.progress(job.id, steps: 0, episode: "tests/\(job.id)")

        let store = self.store, id = job.id, logger = self.logger
        let target = await FlowPhone.describe(phone, serial: serial)
        let raced = await race(job: id, timeout: spec.seconds) {
            await suite.run(on: [target]) { event in
                guard case .finished(let result) = event else { return }
                do {
                    try await store.append(event: "flow", payload: try Self.payload(of: result), to: id)
                    try await store.progress(id, steps: result.steps.count)
                } catch {
                    logger.error("cannot record a flow's result", metadata: ["job": "\(id)", "error": "\(error)"])
                }
            }
        }
        await made?.shutdown()
        guard let ending = raced else { return (.interrupted, "interrupted: the daemon stopped while the job was running") }
        if Task.isCancelled, case .outcome = ending { return (.interrupted, "interrupted: the daemon stopped while the job was running") }
        switch ending {
        case .cancelRequested: return (.cancelled, "cancelled through the API")
        case .timedOut: return (.failed, "the job took longer than its timeout of \(Int(spec.seconds)) s")
        case .outcome(let results):
            writeReports(results, to: folder)
            if let gone = await devices.checkAlive(serial), results.contains(where: { !$0.passed }) {
                return (.failed, "\(Self.vanished): \(gone)")
            }
            return (results.allSatisfy(\.passed) ? .succeeded : .failed, Self.summary(results))
        }
    }

    /// `3 flows: 2 passed, 1 failed (login.yaml: …)`.
    static func summary(_ results: [FlowResult]) -> String {
        let count = { (status: FlowResult.Status) in results.filter { $0.status == status }.count }
        var text = "\(results.count) flow\(results.count == 1 ? "" : "s"): \(count(.passed)) passed, \(count(.failed)) failed"
        if count(.flaky) > 0 { text += ", \(count(.flaky)) flaky" }
        if count(.skipped) > 0 { text += ", \(count(.skipped)) skipped" }
        if let first = results.first(where: { $0.status == .failed }), let failure = first.failure {
            text += " (first: \(first.name): \(failure.message))"
        }
        return text
    }

    /// A flow's result as a job event: what it was and how it ended, without the pictures
    /// (those are in results.json and the report).
    static func payload(of result: FlowResult) throws -> [String: any Sendable] {
        var payload: [String: any Sendable] = [
            "name": result.name, "file": (result.file as NSString).lastPathComponent, "status": result.status.rawValue,
            "seconds": result.seconds, "attempts": result.attempts, "steps": result.steps.count
        ]
        if let failure = result.failure {
            var fields: [String: any Sendable] = ["message": failure.message, "screen": failure.screen]
            if let command = failure.command { fields["command"] = command }
            if let location = failure.location { fields["at"] = "\(location)" }
            payload["failure"] = fields
        }
        return payload
    }

    func writeReports(_ results: [FlowResult], to folder: URL) {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(results).write(to: folder.appendingPathComponent("results.json"))
            try Data(JUnitReport.xml(results).utf8).write(to: folder.appendingPathComponent("junit.xml"))
            let report = folder.appendingPathComponent("report", isDirectory: true)
            try FileManager.default.createDirectory(at: report, withIntermediateDirectories: true)
            try Data(HTMLReport.html(results).utf8).write(to: report.appendingPathComponent("index.html"))
        } catch {
            logger.error("cannot write a test job's reports", metadata: ["folder": "\(folder.path)", "error": "\(error)"])
        }
    }
}
