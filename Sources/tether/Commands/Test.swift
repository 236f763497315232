import Agent
import ArgumentParser
import Flows
import Foundation
import Inference
import Trajectory

/// `tether test PATH…`: Maestro-style flows (and goals in words) as tests, across phones.
struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run flow files (Maestro's YAML commands, plus goals in words) as tests on phones.",
        discussion: """
            Every flow file is read and checked first: a mistake is reported with file:line:column before any \
            phone is touched (exit status 2). Flows then run across the phones in parallel, one flow per phone \
            at a time. Exit status 0 only when every flow passed (a pass on a retry counts, marked flaky). \
            See docs/flows.md.
            """)

    @Argument(help: "Flow files, or folders of them (their *.yaml).")
    var paths: [String]

    @Option(name: .customShort("s"), help: ArgumentHelp("A phone's serial; repeat for more phones.", valueName: "serial"))
    var serials: [String] = []

    @Option(name: .customLong("connect"), help: ArgumentHelp("A phone at HOST:PORT over TCP (no adb server); repeat for more.", valueName: "host:port"))
    var addresses: [String] = []

    @Option(help: ArgumentHelp("Go through a running adb server at [HOST:]PORT: the -s phones, or all its phones.", valueName: "[host:]port"))
    var server: String?

    @Option(help: "Use at most this many of the phones (default: all of them).")
    var shards: Int?

    @Option(help: "Start this many virtual phones in this process and run on them (a self-contained run).")
    var vphones: Int = 0

    @Option(name: .customLong("vphone-profile"), help: "The virtual phones' profile (Devices/profiles).")
    var vphoneProfile: String = "pixel-7"

    @Option(help: "Run a failed flow again up to this many times; a later pass is reported as flaky.")
    var retries: Int = 0

    @Option(help: ArgumentHelp("A flow's time limit in seconds (default: none).", valueName: "seconds"))
    var timeout: Double?

    @Option(name: .customLong("include-tags"), help: ArgumentHelp("Run only flows with one of these tags (comma-separated).", valueName: "tags"))
    var includeTags: [String] = []

    @Option(name: .customLong("exclude-tags"), help: ArgumentHelp("Leave out flows with any of these tags (comma-separated).", valueName: "tags"))
    var excludeTags: [String] = []

    @Option(name: .customShort("e"), help: ArgumentHelp("A variable for ${NAME} in the flows, over their env; repeat.", valueName: "KEY=VALUE"))
    var env: [String] = []

    @Option(help: ArgumentHelp("Write a JUnit XML report to this file.", valueName: "file"))
    var junit: String?

    @Option(help: ArgumentHelp("Write a self-contained HTML report (index.html) into this folder.", valueName: "dir"))
    var html: String?

    @Option(help: ArgumentHelp("Record an episode of every flow attempt in this folder (default: with --html, DIR/episodes).", valueName: "dir"))
    var episodes: String?

    @Option(help: ArgumentHelp("Failure screenshots and UI trees, and takeScreenshot files, go here.", valueName: "dir"))
    var output: String = "tether-test-output"

    /// The model `goal` and `assertWithAI` need: --model DIR or --endpoint URL.
    @OptionGroup var backend: BackendOptions

    @Option(help: "Prompt language of goal: en or zh.")
    var lang: PromptLanguage = .english

    @Option(help: ArgumentHelp("The Devices directory: shortcuts, and the virtual phones' apps (default: found from the current directory or $TETHER_DEVICES).", valueName: "dir"))
    var devices: String?

    func validate() throws {
        if addresses.isEmpty == false, server != nil { throw ValidationError("--connect and --server pick different paths to phones; give one of them") }
        if vphones < 0 || vphones > 32 { throw ValidationError("--vphones must be 0…32") }
        if vphones > 0, !(serials.isEmpty && addresses.isEmpty && server == nil) {
            throw ValidationError("--vphones runs on virtual phones only; leave out -s, --connect and --server")
        }
        if let shards, shards < 1 { throw ValidationError("--shards must be at least 1") }
        if retries < 0 || retries > 10 { throw ValidationError("--retries must be 0…10") }
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be a number of seconds above 0") }
        for pair in env where !pair.contains("=") { throw ValidationError("-e takes KEY=VALUE, not \"\(pair)\"") }
    }

    var variables: [String: String] {
        var out: [String: String] = [:]
        for pair in env {
            guard let eq = pair.firstIndex(of: "=") else { continue }
            out[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
        }
        return out
    }

    static func tags(_ values: [String]) -> Set<String> {
        Set(values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }

    func run() async throws {
        // 1. Every flow, checked before any phone is touched.
        let flows = try loadFlows()
        // 2. The model, when one is given.
        let made: BackendChoice.Made? = backend.choice == nil ? nil : try await backend.open()
        // 3. The phones.
        let phones: TestPhones
        do { phones = try await TestPhones.open(self) } catch {
            await made?.shutdown()
            throw error
        }
        let results = await runSuite(flows, on: phones, model: made?.backend)
        await phones.close()
        await made?.shutdown()
        try writeReports(results)
        if !results.allSatisfy(\.passed) { throw ExitCode(1) }
    }

    func loadFlows() throws -> [Flow] {
        let files: [String]
        do { files = try FlowLoader.files(in: paths) } catch {
            throw CommandFailure(description: error.description)
        }
        guard !files.isEmpty else { throw CommandFailure(description: "no flow files (*.yaml, *.yml) in \(paths.joined(separator: ", "))") }
        var flows: [Flow] = []
        var errors: [FlowError] = []
        for file in files {
            do { flows.append(try FlowLoader.load(path: file)) } catch { errors.append(error) }
        }
        guard errors.isEmpty else {
            for error in errors { FileHandle.standardError.write(Data("\(error.description)\n".utf8)) }
            warn("\(errors.count) flow file\(errors.count == 1 ? "" : "s") cannot run as written; nothing was run")
            throw ExitCode(2)
        }
        return flows
    }

    func runSuite(_ flows: [Flow], on phones: TestPhones, model: (any ModelBackend)?) async -> [FlowResult] {
        var options = FlowRunOptions(outputDirectory: URL(fileURLWithPath: output))
        options.variables = variables
        options.backend = model
        options.shortcuts = phones.shortcuts
        options.language = lang
        options.flowTimeout = timeout.map { .milliseconds(Int($0 * 1000)) }
        options.thumbnails = html != nil
        if let episodes {
            options.episodesDirectory = URL(fileURLWithPath: episodes)
        } else if let html {
            options.episodesDirectory = URL(fileURLWithPath: html).appendingPathComponent("episodes")
        }
        var suite = FlowSuite(flows: flows, options: options, retries: retries)
        suite.includeTags = Self.tags(includeTags)
        suite.excludeTags = Self.tags(excludeTags)
        say("\(flows.count) flow\(flows.count == 1 ? "" : "s") on \(phones.phones.count) phone\(phones.phones.count == 1 ? "" : "s"): \(phones.phones.map(\.device.serial).joined(separator: ", "))")
        let run = Task { await suite.run(on: phones.phones, onEvent: { TestOutput.print($0) }) }
        let stopper = cancelOnInterrupt(run)
        let results = await run.value
        stopper.cancel()
        TestOutput.summary(results)
        return results
    }

    func writeReports(_ results: [FlowResult]) throws {
        if let junit {
            do { try Data(JUnitReport.xml(results).utf8).write(to: URL(fileURLWithPath: junit)) } catch {
                throw CommandFailure(description: "cannot write --junit \(junit): \(error.localizedDescription)")
            }
            say("JUnit report: \(junit)")
        }
        if let html {
            let folder = URL(fileURLWithPath: html)
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try Data(HTMLReport.html(results).utf8).write(to: folder.appendingPathComponent("index.html"))
            } catch {
                throw CommandFailure(description: "cannot write --html \(html): \(error.localizedDescription)")
            }
            say("HTML report: \(folder.appendingPathComponent("index.html").path)")
        }
    }
}
