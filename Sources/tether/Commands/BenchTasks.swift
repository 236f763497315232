import Agent
import ArgumentParser
import Flows
import Foundation
import Trajectory
import VirtualPhone

#if canImport(Glibc)
import Glibc
#endif

/// `tether bench tasks`: the task suite's success rate for a backend — every task × seed on a
/// fresh virtual phone, N at once, success decided by the task's check.
struct BenchTasks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "Run the task suite on virtual phones and report the success rate (docs/bench.md).",
        discussion: """
            Every task × seed runs on a fresh virtual phone served with that seed, through the agent \
            with the backend given: --oracle (the tasks' own solutions, the ceiling), --script FILE \
            (prepared replies), or a model as tether run takes it. Writes OUT/results.json, \
            OUT/results.md and OUT/episodes/<task>-<seed>/.
            """)

    @OptionGroup var backend: BackendOptions

    @Option(help: ArgumentHelp("Only tasks whose id matches this glob, e.g. 'contacts-*', or one of several, comma-separated.", valueName: "glob"))
    var tasks: String?

    @Option(help: "Only tasks of this level: easy, medium or hard.")
    var level: TaskLevel?

    @Option(help: ArgumentHelp("The seeds, as A..B or one number.", valueName: "A..B"))
    var seeds: String = "1..3"

    @Option(help: "Virtual phones running at once.")
    var vphones: Int = 1

    @Flag(help: "Play each task's solution as the model's replies: the harness's ceiling.")
    var oracle = false

    @Option(help: ArgumentHelp("Prepared replies for every run: a JSON list of strings, or one reply per line.", valueName: "file"))
    var script: String?

    @Option(help: ArgumentHelp("Where results.json, results.md and episodes/ go (default: ./bench-tasks-<time>).", valueName: "dir"))
    var out: String?

    @Option(name: .customLong("max-steps-scale"), help: "Multiply each level's step budget (10 / 20 / 30).")
    var maxStepsScale: Double = 1

    @Option(help: "The virtual phones' profile (Devices/profiles).")
    var profile: String = "pixel-7"

    @Option(help: "The instruction's language: en or zh.")
    var lang: PromptLanguage = .english

    @Option(help: ArgumentHelp("The Devices directory (default: found from the current directory or $TETHER_DEVICES).", valueName: "dir"))
    var devices: String?

    @Option(
        help: ArgumentHelp(
            "The day the prompts give as today (default: the day each run starts), so results repeat on any day.",
            valueName: "YYYY-MM-DD"))
    var date: PromptDay?

    func validate() throws {
        let chosen = [oracle, script != nil, backend.choice != nil].filter { $0 }.count
        guard chosen == 1 else { throw ValidationError("give one backend: --oracle, --script FILE, --model DIR or --endpoint URL") }
        guard (1...64).contains(vphones) else { throw ValidationError("--vphones must be 1…64") }
        guard maxStepsScale > 0 else { throw ValidationError("--max-steps-scale must be above 0") }
        _ = try Self.seedRange(seeds)
    }

    static func seedRange(_ text: String) throws -> ClosedRange<UInt64> {
        let parts = text.components(separatedBy: "..")
        if parts.count == 1, let one = UInt64(parts[0]) { return one...one }
        guard parts.count == 2, let a = UInt64(parts[0]), let b = UInt64(parts[1]), a <= b, b - a < 10_000 else {
            throw ValidationError("--seeds takes A..B (A ≤ B, at most 10000 seeds) or one number, not \"\(text)\"")
        }
        return a...b
    }

    func run() async throws {
        guard let catalog = try DevicesFolder.catalog(devices, required: true) else { return }
        let shortcuts = try DevicesFolder.shortcuts(of: catalog)
        let chosen = catalog.tasks.filter { t in
            (tasks.map { $0.split(separator: ",").contains { fnmatch(String($0), t.id, 0) == 0 } } ?? true)
                && (level.map { $0 == t.level } ?? true)
        }
        guard !chosen.isEmpty else { throw ValidationError("no task matches --tasks \(tasks ?? "*") --level \(level?.rawValue ?? "any")") }
        if oracle, let missing = chosen.first(where: { $0.solution.isEmpty }) {
            throw ValidationError("task \(missing.id) has no solution for --oracle")
        }
        let replies = try script.map(Self.replies(from:))
        let outDirectory = URL(fileURLWithPath: out ?? "bench-tasks-\(Int(Date().timeIntervalSince1970))")
        let episodes = outDirectory.appendingPathComponent("episodes")
        do { try FileManager.default.createDirectory(at: episodes, withIntermediateDirectories: true) } catch {
            throw CommandFailure(description: "cannot create \(episodes.path): \(error.localizedDescription)")
        }
        let made = backend.choice == nil ? nil : try await backend.open()
        let description = made?.backend.description ?? (oracle ? "oracle (the tasks' solutions)" : "scripted (\(script ?? ""))")
        let bench = TaskBench(
            catalog: catalog, shortcuts: shortcuts, profile: profile, language: lang, stepScale: maxStepsScale, episodes: episodes,
            promptDay: date,
            backend: { task, phone in
                if let made { return made.backend }
                if let replies { return ScriptedBackend(replies: replies) }
                return OracleBackend(task: task, tree: { try await phone.uiHierarchy() })
            })
        let seedRange = try Self.seedRange(seeds)
        let jobs = chosen.flatMap { task in seedRange.map { (task: task, seed: $0) } }
        say("\(jobs.count) runs (\(chosen.count) tasks × \(seedRange.count) seeds) on \(vphones) virtual phone\(vphones == 1 ? "" : "s"): \(description)")
        let runs = await bench.runAll(jobs, parallel: vphones) { run in
            say("\(run.success ? "PASS" : "FAIL")  \(run.task) seed \(run.seed)  \(run.steps) steps  \(String(format: "%.1f", run.seconds))s  \(run.reason)")
        }
        await made?.shutdown()
        let report = TaskBenchReport(backend: description, command: CommandLine.arguments.joined(separator: " "), runs: runs)
        do {
            try EpisodeJSON.encoder(pretty: true).encode(report).write(to: outDirectory.appendingPathComponent("results.json"))
            try Data(report.markdown.utf8).write(to: outDirectory.appendingPathComponent("results.md"))
        } catch {
            throw CommandFailure(description: "cannot write the results in \(outDirectory.path): \(error.localizedDescription)")
        }
        let all = report.totals.all
        let rate = String(format: "%.1f %% (95 %% CI %.1f–%.1f %%)", all.rate * 100, all.low * 100, all.high * 100)
        say("success \(all.successes)/\(all.runs) = \(rate); results in \(outDirectory.path)")
    }

    /// Replies from a JSON list of strings, or one per line.
    static func replies(from path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read --script \(path)") }
        if let list = try? JSONDecoder().decode([String].self, from: data) { return list }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }
}
