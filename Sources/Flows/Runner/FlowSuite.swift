import AndroidPhone
import Foundation
import Logging

/// A phone flows can run on.
public struct FlowPhone: Sendable {
    public var phone: Phone
    public var device: FlowDevice

    public init(phone: Phone, device: FlowDevice) {
        self.phone = phone
        self.device = device
    }

    /// Reads the phone's model and Android version for reports.
    public static func describe(_ phone: Phone, serial: String) async -> FlowPhone {
        func prop(_ name: String) async -> String? {
            let value = try? await phone.shell("getprop \(name)").stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            return value?.isEmpty == false ? value : nil
        }
        return FlowPhone(
            phone: phone, device: FlowDevice(serial: serial, model: await prop("ro.product.model"), androidVersion: await prop("ro.build.version.release")))
    }
}

/// What the runner says as it goes (the CLI prints it).
public enum FlowEvent: Sendable {
    case started(flow: String, device: String, attempt: Int)
    case finished(FlowResult)
    /// A phone went away; no more flows run on it.
    case phoneLost(device: String, reason: String)
}

/// Runs flows across phones, one flow per phone at a time, each phone taking the next flow
/// as it frees up; retries failed flows; reports every flow's result in the flows' order.
public struct FlowSuite: Sendable {
    public var flows: [Flow]
    public var options: FlowRunOptions
    /// Extra attempts for a failed flow; a pass after a failure is `flaky`.
    public var retries: Int
    /// Tags a flow must have one of (empty: any), and tags it must have none of.
    public var includeTags: Set<String> = []
    public var excludeTags: Set<String> = []

    public init(flows: [Flow], options: FlowRunOptions, retries: Int = 0) {
        self.flows = flows
        self.options = options
        self.retries = retries
    }

    func selected(_ flow: Flow) -> Bool {
        let tags = Set(flow.header.tags)
        if !includeTags.isEmpty, tags.isDisjoint(with: includeTags) { return false }
        return tags.isDisjoint(with: excludeTags)
    }

    /// Runs every selected flow; skipped flows are reported as skipped.
    public func run(on phones: [FlowPhone], onEvent: @escaping @Sendable (FlowEvent) async -> Void = { _ in }) async -> [FlowResult] {
        let queue = WorkQueue(Array(flows.indices.filter { selected(flows[$0]) }))
        var results: [Int: FlowResult] = [:]
        for (i, flow) in flows.enumerated() where !selected(flow) {
            results[i] = FlowResult(
                name: flow.name, file: flow.file, tags: flow.header.tags, status: .skipped, seconds: 0, attempts: 0, steps: [],
                failure: nil, earlierFailures: [], device: nil, episodes: [], screenshots: [])
        }
        await withTaskGroup(of: [(Int, FlowResult)].self) { group in
            for phone in phones {
                group.addTask {
                    var done: [(Int, FlowResult)] = []
                    while let index = await queue.next() {
                        let result = await runWithRetries(flows[index], index: index, on: phone, onEvent: onEvent)
                        done.append((index, result))
                        await onEvent(.finished(result))
                        if result.failure?.phoneLost == true {
                            await onEvent(.phoneLost(device: phone.device.serial, reason: result.failure?.message ?? ""))
                            break
                        }
                    }
                    return done
                }
            }
            for await batch in group { for (i, r) in batch { results[i] = r } }
        }
        // Flows no phone was left to run.
        while let index = await queue.next() {
            let flow = flows[index]
            let failure = FlowFailure(
                message: "no phone was left to run it (every phone was lost)", command: nil, location: nil, screen: [], phoneLost: true)
            let result = FlowResult(
                name: flow.name, file: flow.file, tags: flow.header.tags, status: .failed, seconds: 0, attempts: 0, steps: [],
                failure: failure, earlierFailures: [], device: nil, episodes: [], screenshots: [])
            results[index] = result
            await onEvent(.finished(result))
        }
        return flows.indices.compactMap { results[$0] }
    }

    func runWithRetries(_ flow: Flow, index: Int, on phone: FlowPhone, onEvent: @Sendable (FlowEvent) async -> Void) async -> FlowResult {
        let clock = ContinuousClock()
        let start = clock.now
        var failures: [FlowFailure] = []
        var episodes: [String] = []
        var screenshots: [String] = []
        var attempt = 0
        var last: (steps: [StepReport], failure: FlowFailure?)
        repeat {
            attempt += 1
            await onEvent(.started(flow: flow.name, device: phone.device.serial, attempt: attempt))
            let slug = Self.slug(index: index, name: flow.name, attempt: attempt)
            let outcome = await runOnce(flow, slug: slug, on: phone)
            last = (outcome.steps, outcome.failure)
            if let e = outcome.episode { episodes.append(e) }
            screenshots += outcome.screenshots
            guard let failure = outcome.failure else { break }
            failures.append(failure)
            if failure.phoneLost { break }
        } while attempt <= retries
        let status: FlowResult.Status = last.failure == nil ? (failures.isEmpty ? .passed : .flaky) : .failed
        return FlowResult(
            name: flow.name, file: flow.file, tags: flow.header.tags, status: status, seconds: (clock.now - start).seconds,
            attempts: attempt, steps: last.steps, failure: last.failure, earlierFailures: last.failure == nil ? failures : Array(failures.dropLast()),
            device: phone.device, episodes: episodes, screenshots: screenshots)
    }

    /// One attempt, within the flow's time limit when there is one.
    func runOnce(
        _ flow: Flow, slug: String, on phone: FlowPhone
    ) async -> (
        steps: [StepReport], failure: FlowFailure?, episode: String?, screenshots: [String]
    ) {
        let execution = FlowExecution(flow: flow, phone: phone.phone, device: phone.device, options: options, slug: slug)
        guard let limit = options.flowTimeout else { return await execution.run() }
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = await execution.run()
                return true
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        var outcome = await execution.outcome()
        if !finished { outcome.failure = await execution.timedOutFailure(after: limit) }
        return outcome
    }

    static func slug(index: Int, name: String, attempt: Int) -> String {
        let safe = String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }.prefix(60))
        return String(format: "%02d-", index + 1) + safe + (attempt > 1 ? "-attempt-\(attempt)" : "")
    }
}

/// Hands out the flows' indices, each once.
actor WorkQueue {
    private var pending: [Int]
    init(_ items: [Int]) { pending = items }
    func next() -> Int? { pending.isEmpty ? nil : pending.removeFirst() }
}
