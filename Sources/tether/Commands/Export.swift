import Agent
import ArgumentParser
import Foundation
import Inference
import Trajectory

/// `tether export DIR… --format autoglm|androidcontrol -o OUT`: episodes as training data.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export episodes as training data: AutoGLM chat JSONL or AndroidControl's layout.",
        discussion: """
            autoglm writes samples.jsonl (one line per step: the messages the agent sent, then the step's \
            <think>…</think><answer>…</answer>) with the screenshots in images/. androidcontrol writes \
            episodes.jsonl (one line per episode: goal, screenshots, UI trees, actions in pixels) with the \
            files in a folder per episode. A person's steps have empty thinking, unless --describe asks a \
            model (--model DIR or --endpoint URL, as tether run) to write it. See docs/export.md.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case autoglm, androidcontrol
    }

    @Argument(help: ArgumentHelp("Episode folders (written by tether run --record or tether record).", valueName: "dir"))
    var episodes: [String]

    @Option(help: "autoglm or androidcontrol.")
    var format: Format

    @Option(name: .shortAndLong, help: ArgumentHelp("The output folder (new or empty).", valueName: "dir"))
    var output: String

    @Flag(help: "autoglm: ask a model to write the thinking of a person's steps (needs --model or --endpoint).")
    var describe = false

    /// With --describe: the model that writes a person's thinking.
    @OptionGroup var backend: BackendOptions

    @Option(
        name: .customLong("context-budget"),
        help: "autoglm: text tokens per request, as the agent trims its history (the agent's default: 19000).")
    var contextBudget: Int = AgentConfiguration().contextBudget

    @Option(
        help: ArgumentHelp(
            "autoglm: a directory with the model's tokenizer.json, to count history tokens exactly, as a run with --model or --tokenizer did (otherwise the agent's over-estimate).",
            valueName: "dir"))
    var tokenizer: String?

    func validate() throws {
        if episodes.isEmpty { throw ValidationError("give at least one episode folder") }
        if describe {
            guard format == .autoglm else { throw ValidationError("--describe goes with --format autoglm") }
            if backend.choice == nil { throw ValidationError("--describe needs a model: --model DIR or --endpoint URL (one of them)") }
        } else if backend.choice != nil {
            throw ValidationError("--model and --endpoint are for --describe; add --describe or leave them out")
        }
        guard contextBudget > 0 else { throw ValidationError("--context-budget must be positive") }
    }

    func run() async throws {
        var list: [Episode] = []
        for path in episodes {
            do { list.append(try Episode(contentsOf: URL(fileURLWithPath: path))) } catch {
                throw CommandFailure(description: error.message)
            }
        }
        // Read before anything is written.
        var counter: any TokenCounter = EstimatedTokenCounter()
        if let tokenizer {
            do { counter = TokenizerCounter(tokenizer: try Tokenizer.load(directory: tokenizer)) } catch {
                throw CommandFailure(description: "cannot read the tokenizer in \(tokenizer): \(error)")
            }
        }
        let made = describe ? try await backend.open() : nil
        var folder: ExportFolder
        do { folder = try ExportFolder(URL(fileURLWithPath: output)) } catch {
            await made?.shutdown()
            throw CommandFailure(description: error.message)
        }
        switch format {
        case .androidcontrol:
            let summary: AndroidControlExport.Summary
            do { summary = try AndroidControlExport().export(list, to: &folder) } catch { throw CommandFailure(description: error.message) }
            say("\(summary.episodes) episode(s), \(summary.actions) action(s) written to \(output)/episodes.jsonl")
            if summary.unmapped > 0 { warn("\(summary.unmapped) action(s) have no AndroidControl equivalent: written as \"unmapped\"") }
        case .autoglm:
            let exporter = AutoGLMExport(
                contextBudget: contextBudget, counter: counter, describer: made.map { StepDescriber(backend: $0.backend) })
            let result: Result<AutoGLMExport.Summary, any Error>
            do { result = .success(try await exporter.export(list, to: &folder)) } catch { result = .failure(error) }
            await made?.shutdown()
            let summary: AutoGLMExport.Summary
            do { summary = try result.get() } catch { throw CommandFailure(description: "\(error)") }
            say("\(summary.samples) sample(s) from \(summary.episodes) episode(s) written to \(output)/samples.jsonl")
            if let made, summary.described > 0 { say("\(summary.described) step(s) of a person described by \(made.backend.description)") }
            if summary.skipped > 0 { warn("\(summary.skipped) step(s) without an action left out (a model's unreadable reply stays in later steps' history)") }
        }
    }
}
