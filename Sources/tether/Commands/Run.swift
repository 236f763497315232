import Trajectory
import ADB
import Agent
import AndroidPhone
import ArgumentParser
import Foundation
import Inference
#if canImport(Glibc)
import Glibc
#endif
import VirtualPhone

/// `tether run "TASK"`: the phone agent on one phone until the model finishes, fails or stops.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Let the phone agent (AutoGLM-Phone-9B) do a task on a phone.",
        discussion: """
            Needs a model: --model DIR (a checkpoint, run in-process on the CPU; see docs/model.md) or \
            --endpoint URL of an OpenAI-compatible server (vLLM, SGLang, hosted) with --model-name and, \
            when it needs one, --api-key. Prints one line per step. Exit status 0 only when the model \
            finished — and with --task, only when the virtual phone's task check passes.
            """)

    @OptionGroup var device: DeviceOptions

    @Argument(help: "What to do, in words (with --task, the task's own instruction is used when this is left out).")
    var task: String?

    @OptionGroup var backend: BackendOptions

    @Option(help: "Prompt language: zh (as the model was trained) or en.")
    var lang: PromptLanguage = .chinese

    @Option(name: .customLong("max-steps"), help: "Stop as failed after this many steps.")
    var maxSteps: Int = 50

    @Option(name: .customLong("max-tokens"), help: "The longest reply the model may write per step (AutoGLM's setting: 3000).")
    var maxTokens: Int = SamplingOptions.autoGLM.maxTokens

    @Option(help: ArgumentHelp("Record the episode in this (new or empty) directory; see docs/trajectory.md.", valueName: "dir"))
    var record: String?

    @Option(
        name: .customLong("on-sensitive"),
        help: "Sensitive taps (sending, paying, deleting): ask (on the terminal; stops the run when nobody can answer), deny or allow.")
    var onSensitive: SensitivePolicy = .ask

    @Option(name: .customLong("task"), help: ArgumentHelp("A virtual-phone task (see `tether vphone tasks`): its instruction, and its check decides the exit status.", valueName: "id"))
    var taskID: String?

    @Option(help: ArgumentHelp("With --task: the seed the virtual phone was served with (`tether vphone serve --task ID --seed N`); it picks the task's names, numbers and texts.", valueName: "n"))
    var seed: UInt64?

    @Option(name: .customLong("system-prompt"), help: ArgumentHelp("Use this file's text as the system prompt.", valueName: "file"))
    var systemPrompt: String?

    @Option(
        help: ArgumentHelp(
            "The day the system prompt gives as today (default: the day the run starts), so a run repeats on any day.",
            valueName: "YYYY-MM-DD"))
    var date: PromptDay?

    @Option(help: ArgumentHelp("A directory with the model's tokenizer.json, to count history tokens exactly with --endpoint (with --model the checkpoint's own is used; otherwise an over-estimate).", valueName: "dir"))
    var tokenizer: String?

    @Option(help: ArgumentHelp("The Devices directory: shortcuts and tasks (default: found from the current directory or $TETHER_DEVICES).", valueName: "dir"))
    var devices: String?

    @Option(help: ArgumentHelp("Run the task as a job of the tetherd at this URL (e.g. http://127.0.0.1:7464) and print its steps; token from $TETHER_TOKEN or the default state directory.", valueName: "url"))
    var daemon: String?

    static let needsModel = """
        tether run needs a model, and none was given. Provide one of:
          --model DIR                    an AutoGLM-Phone-9B checkpoint directory (config.json, *.safetensors, tokenizer), run in-process on the CPU (docs/model.md)
          --endpoint URL [--model-name NAME] [--api-key KEY]
                                         an OpenAI-compatible server serving AutoGLM-Phone-9B, e.g. vLLM: --endpoint http://127.0.0.1:8000/v1 --model-name autoglm-phone-9b
        """

    func validate() throws {
        if backend.choice == nil { throw ValidationError(Self.needsModel) }
        if let record {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: record, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else {
                    throw ValidationError("--record \(record) is a file; give a new or empty folder for the episode")
                }
                if let entries = try? FileManager.default.contentsOfDirectory(atPath: record), !entries.isEmpty {
                    throw ValidationError("--record \(record) is not empty; refused, so nothing was run or recorded: give a new or empty folder")
                }
            }
        }
        if task == nil, taskID == nil { throw ValidationError("say what to do: tether run \"TASK\" (or --task ID on a virtual phone)") }
        guard (1...500).contains(maxSteps) else { throw ValidationError("--max-steps must be 1…500") }
        guard (1...32768).contains(maxTokens) else { throw ValidationError("--max-tokens must be 1…32768") }
    }

    func run() async throws {
        if let daemon { return try await runOnDaemon(daemon) }
        let language = lang
        let policy = onSensitive

        // The Devices folder: shortcuts and tasks. Optional unless --task is given.
        let catalog = try DevicesFolder.catalog(devices, required: taskID != nil)
        var definition: TaskDefinition?
        if let taskID {
            guard let t = catalog?.task(taskID) else { throw ValidationError("no task \(taskID); see `tether vphone tasks`") }
            definition = seed.map { t.instance(seed: $0) } ?? t
        } else if seed != nil {
            throw ValidationError("--seed picks a task's instance: give --task ID with it")
        }
        guard let instruction = task ?? definition.map({ language == .chinese ? $0.instructionZh : $0.instruction }) else {
            throw ValidationError("say what to do")
        }
        let shortcuts = try DevicesFolder.shortcuts(of: catalog)
        let template: String?
        if let systemPrompt {
            do { template = try String(contentsOfFile: systemPrompt, encoding: .utf8) } catch {
                throw CommandFailure(description: "cannot read --system-prompt \(systemPrompt): \(error.localizedDescription)")
            }
        } else {
            template = nil
        }

        // The phone.
        let target = try await device.open()
        // App labels come from the apps' APKs on the phone, cached between runs.
        var phoneConfiguration = Phone.Configuration()
        phoneConfiguration.labelCacheDirectory = Phone.defaultCacheDirectory
        let phone = Phone(target: target, configuration: phoneConfiguration)
        if let definition { try await TaskStart.verify(definition, on: target) }
        let modelName = (try? await phone.shell("getprop ro.product.model").stdoutText.trimmingCharacters(in: .whitespacesAndNewlines))

        // The model.
        // Read before the HTTP client exists: nothing may throw between its start and its shutdown.
        var endpointTokenizer: Tokenizer?
        if let tokenizer, backend.model == nil {
            do { endpointTokenizer = try Tokenizer.load(directory: tokenizer) } catch {
                throw CommandFailure(description: "cannot read the tokenizer in \(tokenizer): \(error)")
            }
        }
        guard self.backend.choice != nil else { throw ValidationError(Self.needsModel) }
        let made = try await self.backend.open(tokenizer: endpointTokenizer)
        let backend = made.backend
        let interactive: (any Operator)? = isatty(0) != 0 ? TerminalOperator() : nil
        let agent = Agent(
            phone: AndroidPhoneControl(phone: phone), backend: backend,
            operator: PolicyOperator(sensitive: policy, interactive: interactive), shortcuts: shortcuts,
            configuration: configuration(language: language, counter: made.counter, template: template),
            recordDirectory: record.map { URL(fileURLWithPath: $0) },
            device: EpisodeInfo.Device(serial: device.serial ?? device.connect, model: modelName),
            onStep: { say(Self.line($0)) })

        say("task: \(instruction)")
        say("model: \(backend.description)   phone: \(modelName ?? "?")   sensitive taps: \(policy.rawValue)\(interactive == nil ? " (unattended)" : "")")
        let run = Task { await agent.run(task: instruction) }
        let stopper = cancelOnInterrupt(run)
        let outcome = await run.value
        stopper.cancel()
        await made.shutdown()

        var passed = outcome.status == .finished
        say("\(outcome.status.rawValue) after \(outcome.steps) step\(outcome.steps == 1 ? "" : "s"): \(outcome.message)")
        if let definition {
            let result = try await TaskChecker.check(definition, on: target)
            say("check \(definition.id): \(result.passed ? "PASS" : "FAIL")")
            for reason in result.reasons { say("  \(reason)") }
            passed = passed && result.passed
        }
        if let record { say("episode recorded in \(record)") }
        await phone.close()
        if !passed { throw ExitCode(outcome.status == .cancelled ? 130 : 1) }
    }

    func configuration(language: PromptLanguage, counter: any TokenCounter, template: String?) -> AgentConfiguration {
        var sampling = SamplingOptions.autoGLM
        sampling.maxTokens = maxTokens
        return AgentConfiguration(
            language: language, maxSteps: maxSteps, sampling: sampling, tokenCounter: counter,
            systemPromptTemplate: template, promptDay: date)
    }

    /// `  3  Messages          Tap [916,946] (sensitive: "Send …")  → tapped (989, 2270)   capture 0.41s (settle 0.03s)  model 2.10s  act 0.20s  tokens 2878 (1506 cached)`
    static func line(_ e: StepEvent) -> String {
        func s(_ v: Double) -> String { String(format: "%.2fs", v) }
        let step = String(e.step).leftPadded(to: 3)
        let app = e.currentApp.count > 18 ? String(e.currentApp.prefix(17)) + "…" : e.currentApp.padding(toLength: 18, withPad: " ", startingAt: 0)
        var text = "\(step)  \(app)  "
        if let action = e.action { text += action.description } else { text += "unreadable reply: \(e.parseError ?? "?")" }
        if let o = e.outcome, !o.message.isEmpty {
            let m = o.message.replacingOccurrences(of: "\n", with: " ")
            text += "  \(o.ok ? "→" : "✗") \(m.count > 100 ? String(m.prefix(99)) + "…" : m)"
        }
        var timing = "capture \(s(e.timings.capture)) (settle \(s(e.timings.settle)))  model \(s(e.timings.model))"
        if e.timings.act > 0 { timing += "  act \(s(e.timings.act))" }
        if let prompt = e.tokens?.prompt {
            timing += "  tokens \(prompt)"
            if let reused = e.tokens?.reused, reused > 0 { timing += " (\(reused) cached)" }
        }
        return text + "   " + timing
    }
}

extension String {
    func leftPadded(to n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
