import ADB
import Agent
import AndroidPhone
import Basics
import Flows
import Foundation
import Trajectory
import VirtualPhone

/// Runs task instances on fresh virtual phones, each through the real agent loop, and decides
/// success by the task's state check after the run. N phones run at once.
struct TaskBench: Sendable {
    var catalog: DeviceCatalog
    var shortcuts: ShortcutLibrary
    var profile: String
    var language: PromptLanguage
    /// Multiplies each level's step budget.
    var stepScale: Double
    /// Where each run's episode goes: `<episodes>/<task>-<seed>`.
    var episodes: URL
    /// The day the prompts give as today (nil: the day each run starts).
    var promptDay: PromptDay? = nil
    /// The backend of one run; the oracle reads the run's phone.
    var backend: @Sendable (TaskDefinition, Phone) async throws -> any ModelBackend

    /// Steps a run may take: 10, 20 or 30 by level (easy, medium, hard), never fewer than twice
    /// the solution's steps plus two, times `scale`.
    static func budget(_ task: TaskDefinition, scale: Double) -> Int {
        let base =
            switch task.level {
            case .easy: 10
            case .medium: 20
            case .hard: 30
            }
        return max(1, Int((Double(max(base, 2 * task.solution.count + 2)) * scale).rounded()))
    }

    /// Every task × seed, `parallel` at a time; `onRun` hears each run as it ends.
    func runAll(
        _ jobs: [(task: TaskDefinition, seed: UInt64)], parallel: Int, onRun: @Sendable (TaskBenchReport.Run) -> Void
    ) async
        -> [TaskBenchReport.Run]
    {
        await withTaskGroup(of: TaskBenchReport.Run.self) { group in
            var runs: [TaskBenchReport.Run] = []
            var pending = jobs[...]
            var index = 0
            func start() {
                guard let job = pending.popFirst() else { return }
                let i = index
                index += 1
                group.addTask { await run(job.task, seed: job.seed, index: i % max(parallel, 1)) }
            }
            for _ in 0..<max(parallel, 1) { start() }
            while let run = await group.next() {
                onRun(run)
                runs.append(run)
                start()
            }
            return runs
        }
    }

    /// One task instance on a fresh phone served with its seed.
    func run(_ template: TaskDefinition, seed: UInt64, index: Int) async -> TaskBenchReport.Run {
        let task = template.instance(seed: seed)
        let clock = ContinuousClock()
        let started = clock.now
        func result(_ success: Bool, steps: Int, tokens: Int, _ reason: String) -> TaskBenchReport.Run {
            TaskBenchReport.Run(
                task: task.id, seed: seed, level: task.level.rawValue, success: success, steps: steps,
                seconds: (clock.now - started) / .seconds(1), tokens: tokens, reason: reason)
        }
        let server: VirtualPhoneServer
        do {
            server = try await VirtualPhoneServer.start(
                catalog: catalog, options: .init(profile: profile, seed: seed, port: 0, index: index, task: task))
        } catch {
            return result(false, steps: 0, tokens: 0, "the virtual phone did not start: \(error)")
        }
        let connection: ADBConnection
        do {
            let transport = try await TCPPacketTransport.connect(host: "127.0.0.1", port: server.port)
            connection = try await ADBHost.connect(transport: transport, keys: nil)
        } catch {
            await server.stop()
            return result(false, steps: 0, tokens: 0, "cannot connect the virtual phone: \(error)")
        }
        let phone = Phone(target: connection)
        let tokens = Locked(0)
        let run: TaskBenchReport.Run
        do {
            let agent = Agent(
                phone: AndroidPhoneControl(phone: phone), backend: try await backend(task, phone),
                operator: PolicyOperator(sensitive: .allow), shortcuts: shortcuts,
                configuration: AgentConfiguration(
                    language: language, maxSteps: Self.budget(task, scale: stepScale), timeZone: TimeZone(identifier: "UTC") ?? .current,
                    promptDay: promptDay),
                recordDirectory: episodes.appendingPathComponent("\(task.id)-\(seed)"),
                device: EpisodeInfo.Device(serial: server.serial, model: profile),
                onStep: { event in tokens.withLock { $0 += (event.tokens?.prompt ?? 0) + (event.tokens?.completion ?? 0) } })
            let outcome = await agent.run(task: language == .chinese ? task.instructionZh : task.instruction)
            let check = try await TaskChecker.check(task, on: connection)
            let said = "\(outcome.status.rawValue): \(outcome.message)"
            run = result(
                check.passed, steps: outcome.steps, tokens: tokens.value,
                "\(said); check \(check.passed ? "passed" : "failed: " + check.reasons.joined(separator: "; "))")
        } catch {
            run = result(false, steps: 0, tokens: tokens.value, "\(error)")
        }
        await phone.close()
        await connection.close()
        await server.stop()
        return run
    }
}
