import Agent
import AndroidPhone
import Foundation
import Imaging
import Logging
import Trajectory

/// One attempt of one flow on one phone: its variables, clipboard and screen, the steps' reports,
/// the episode. The pieces that run one step with its guard (`runStep`) are reused by replay.
actor FlowExecution {
    let flow: Flow
    let phone: Phone
    let device: FlowDevice
    let options: FlowRunOptions
    let screen: ScreenReader
    /// A file-name-safe name for this attempt (`03-login-attempt-2`).
    let slug: String
    let logger = Logger(label: "tether.flows")
    var variables: [String: String]
    var clipboard: String?
    var reports: [StepReport] = []
    var screenshots: [String] = []
    var episode: EpisodeWriter?
    var episodePath: String?
    var episodeSteps = 0
    var depth = 0
    /// The innermost step that failed, and why (the flow's failure).
    var failed: (step: Step, failure: StepFailure)?
    /// The action a step carried out, for its episode line.
    var lastAction: Action?

    init(flow: Flow, phone: Phone, device: FlowDevice, options: FlowRunOptions, slug: String) {
        self.flow = flow
        self.phone = phone
        self.device = device
        self.options = options
        self.slug = slug
        self.screen = ScreenReader(phone: phone, settleTimeout: options.settleTimeout)
        var variables: [String: String] = ["maestro.platform": "android"]
        for (key, value) in flow.header.env { variables[key] = value }
        for (key, value) in options.variables { variables[key] = value }
        self.variables = variables
    }

    typealias Outcome = (steps: [StepReport], failure: FlowFailure?, episode: String?, screenshots: [String])
    private var finished: Outcome?

    /// What the last `run()` gave (after a cut-short run, what was done so far).
    func outcome() -> Outcome { finished ?? (reports, nil, episodePath, screenshots) }

    /// Runs `onFlowStart`, the steps and `onFlowComplete` (also after a failure). Never throws.
    @discardableResult
    func run() async -> Outcome {
        openEpisode()
        var failure: FlowFailure?
        do {
            // Header env values may hold ${…} of -e variables.
            for (key, value) in flow.header.env where options.variables[key] == nil {
                variables[key] = try substitute(value)
            }
            try await runSteps(flow.header.onFlowStart)
            try await runSteps(flow.steps)
        } catch {
            failure = await describeFailure()
        }
        if !flow.header.onFlowComplete.isEmpty {
            let before = failed
            do { try await runSteps(flow.header.onFlowComplete) } catch {
                if failure == nil { failure = await describeFailure() } else { failed = before }
            }
        }
        if let episode {
            let outcome = Trajectory.Outcome(
                status: failure == nil ? .finished : .failed, message: failure?.summary ?? "passed", steps: episodeSteps)
            try? await episode.finish(outcome)
        }
        finished = (reports, failure, episodePath, screenshots)
        return (reports, failure, episodePath, screenshots)
    }

    /// Called when the flow's time is up, to say where it stopped.
    func timedOutFailure(after limit: Duration) async -> FlowFailure {
        if failed == nil, let last = reports.last {
            failed = (Step(command: .back, name: last.command, location: last.location), StepFailure("the flow's time ran out (--timeout \(limit))"))
        }
        var failure = await describeFailure()
        failure.message = "the flow's time ran out (--timeout \(limit)) here"
        return failure
    }

    func runSteps(_ steps: [Step]) async throws {
        for step in steps { try await runStep(step) }
    }

    /// Runs one step: records its report (and episode line); throws unless it passed or is optional.
    func runStep(_ step: Step) async throws {
        try Task.checkCancellation()
        let clock = ContinuousClock()
        let start = clock.now
        let startedAt = Date()
        let index = reports.count
        reports.append(
            StepReport(
                command: step.name, text: step.label ?? describe(step), location: step.location, depth: depth,
                status: .passed, seconds: 0, message: ""))
        lastAction = nil
        var status = StepReport.Status.passed
        var message: String
        var thrown: (any Error)?
        do {
            depth += 1
            defer { depth -= 1 }
            message = try await perform(step)
            if message == Self.skippedMarker {
                status = .skipped
                message = "skipped: its when did not hold"
            }
        } catch is CancellationError {
            reports[index].status = .failed
            reports[index].message = "stopped here: the run was cancelled or the flow's time ran out"
            reports[index].seconds = (clock.now - start).seconds
            throw CancellationError()
        } catch {
            let failure = StepFailure.from(error)
            if failed == nil || failure.phoneLost { failed = (step, failure) }
            message = failure.message
            status = step.optional && !failure.phoneLost ? .warned : .failed
            if status == .failed { thrown = failure }
        }
        reports[index].status = status
        reports[index].message = message
        reports[index].seconds = (clock.now - start).seconds
        if status != .skipped { await record(step, index: index, startedAt: startedAt, ok: status == .passed, message: message) }
        if status == .warned, let f = failed, f.step.location == step.location { failed = nil }
        if let thrown { throw thrown }
    }

    static let skippedMarker = "\u{1}skipped"

    /// `tapOn "Save"`, `inputText "hello"`, `runFlow login.yaml`.
    func describe(_ step: Step) -> String {
        switch step.command {
        case .launchApp(let appId, _, _): return "launchApp \(appId ?? flow.header.appId ?? "")"
        case .stopApp(let appId), .clearState(let appId): return "\(step.name) \(appId ?? flow.header.appId ?? "")"
        case .tap(_, let selector, _): return "\(step.name) \(selector)"
        case .inputText(let text): return "inputText \"\(text)\""
        case .pressKey(let key): return "pressKey \(key)"
        case .scrollUntilVisible(let selector, let direction, _): return "scrollUntilVisible \(selector) \(direction.rawValue)"
        case .swipe(let spec):
            if let d = spec.direction { return "swipe \(d.rawValue)\(spec.from.map { " from \($0)" } ?? "")" }
            return "swipe \(spec.start ?? "") → \(spec.end ?? "")"
        case .assertVisible(let s), .assertNotVisible(let s), .copyTextFrom(let s): return "\(step.name) \(s)"
        case .assertTrue(let e): return "assertTrue \(e)"
        case .extendedWaitUntil(let v, let n, let t):
            return "extendedWaitUntil \(v.map { "visible \($0)" } ?? "")\(n.map { "not visible \($0)" } ?? "") within \(t)"
        case .takeScreenshot(let path): return "takeScreenshot \(path)"
        case .openLink(let link): return "openLink \(link)"
        case .runFlow(let r): return "runFlow \(r.file.map { ($0 as NSString).lastPathComponent } ?? "(\(r.steps.count) commands)")"
        case .repeatSteps(let r): return "repeat\(r.times.map { " \($0) times" } ?? "")\(r.whileCondition == nil ? "" : " while …")"
        case .retry(let n, _): return "retry (at most \(n) more)"
        case .evalScript(let s): return "evalScript \(s)"
        case .goal(let g): return "goal \"\(g.text)\""
        case .assertWithAI(let a): return "assertWithAI \"\(a)\""
        case .shortcut(let name, let params): return "shortcut \(name)\(params.isEmpty ? "" : " " + params.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"
        case .shell(let spec): return "shell \(spec.command)"
        case .eraseText(let n): return "eraseText \(n)"
        case .inputRandom(let kind, let length): return "\(step.name) (\(kind.rawValue), \(length))"
        case .waitForAnimationToEnd(let t): return "waitForAnimationToEnd (at most \(t))"
        case .back, .hideKeyboard, .scroll, .pasteText: return step.name
        }
    }

    /// Dispatches to the command families (Commands/).
    func perform(_ step: Step) async throws -> String {
        switch step.command {
        case .launchApp(let appId, let clear, let stop): return try await launchApp(appId, clearState: clear, stopApp: stop)
        case .stopApp(let appId): return try await stopApp(appId)
        case .clearState(let appId): return try await clearState(appId)
        case .openLink(let link): return try await openLink(link)
        case .tap(let kind, let selector, let tapOptions): return try await tap(kind, selector, tapOptions)
        case .inputText(let text): return try await inputText(try substitute(text))
        case .inputRandom(let kind, let length): return try await inputText(RandomInput.make(kind, length: length))
        case .eraseText(let n): return try await eraseText(n)
        case .copyTextFrom(let selector): return try await copyText(selector)
        case .pasteText: return try await pasteText()
        case .hideKeyboard: return try await hideKeyboard()
        case .pressKey(let key): return try await pressKey(try substitute(key))
        case .back: return try await pressKey("Back")
        case .scroll: return try await scroll()
        case .scrollUntilVisible(let selector, let direction, let timeout): return try await scrollUntilVisible(selector, direction, timeout)
        case .swipe(let spec): return try await swipe(spec)
        case .assertVisible(let selector): return try await assertVisible(selector, timeout: options.lookupTimeout)
        case .assertNotVisible(let selector): return try await assertNotVisible(selector, timeout: options.lookupTimeout)
        case .extendedWaitUntil(let visible, let notVisible, let timeout):
            var said: [String] = []
            if let visible { said.append(try await assertVisible(visible, timeout: timeout)) }
            if let notVisible { said.append(try await assertNotVisible(notVisible, timeout: timeout)) }
            return said.joined(separator: "; ")
        case .assertTrue(let expression): return try assertTrue(expression)
        case .waitForAnimationToEnd(let timeout): return try await waitForAnimationToEnd(timeout)
        case .takeScreenshot(let path): return try await takeScreenshot(try substitute(path))
        case .runFlow(let spec): return try await runFlow(spec)
        case .repeatSteps(let spec): return try await repeatSteps(spec)
        case .retry(let maxRetries, let steps): return try await retry(maxRetries, steps)
        case .evalScript(let script):
            _ = try substitute(script, allowUnset: true)
            return "evaluated"
        case .goal(let spec): return try await goal(spec)
        case .assertWithAI(let assertion): return try await assertWithAI(try substitute(assertion))
        case .shortcut(let name, let params): return try await shortcut(name, params)
        case .shell(let spec): return try await shell(spec)
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
