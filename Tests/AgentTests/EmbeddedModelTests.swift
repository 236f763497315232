import Agent
import Basics
import Foundation
import Imaging
import Inference
import PhoneRig
import TetherTestSupport
import Testing
import Trajectory
import VirtualPhone

/// The embedded model (Devices/models/embedded, trained by Scripts/train-embedded-model on a
/// person's demonstrations): our engine loads it and decodes what transformers decodes, and the
/// agent run through the CLI with it does a task on a seed it was not trained on.
@Suite(.serialized) struct EmbeddedModelTests {
    static let directory = Paths.root.appendingPathComponent("Devices/models/embedded")
    static let fixtures = Paths.root.appendingPathComponent("Tests/AgentTests/Fixtures/embedded")

    struct Parity: Decodable {
        struct Message: Decodable {
            var role: String
            var content: String
        }
        struct Case: Decodable {
            var sample: String
            var messages: [Message]
            var image: String
            var promptIds: [Int]
            var generatedIds: [Int]
            var generatedText: String

            enum CodingKeys: String, CodingKey {
                case sample, messages, image
                case promptIds = "prompt_ids", generatedIds = "generated_ids", generatedText = "generated_text"
            }
        }
        var cases: [Case]

        static func load() throws -> Parity {
            try JSONDecoder().decode(Parity.self, from: try Data(contentsOf: fixtures.appendingPathComponent("parity.json")))
        }
    }

    /// A case's prompt for our engine: its messages, the screenshot on the last user turn.
    static func prompt(_ c: Parity.Case, model: GLM4VModel) throws -> Prompt {
        let png = try Data(contentsOf: fixtures.appendingPathComponent(c.image))
        let screen = try Image(pngData: [UInt8](png))
        let lastUser = c.messages.lastIndex { $0.role == "user" }
        let messages = c.messages.enumerated().map { i, m -> ChatMessage in
            switch m.role {
            case "system": .system(m.content)
            case "assistant": .assistant(m.content)
            default: .user(m.content, images: i == lastUser ? 1 : 0)
            }
        }
        return try model.prompt(messages, images: [screen])
    }

    struct Training: Decodable {
        var tasks: [String]
        var trainSeeds: [UInt64]
        var heldOutSeeds: [UInt64]
        /// The day every training prompt gave as today.
        var promptDate: String

        enum CodingKeys: String, CodingKey {
            case tasks
            case trainSeeds = "train_seeds", heldOutSeeds = "held_out_seeds", promptDate = "prompt_date"
        }
    }

    /// transformers' greedy replies to two recorded steps (the bf16 weights, run in fp32 with
    /// eager attention by the training script) are our engine's, token for token, from the same
    /// tokenizer.json, image processor and chat layout.
    @Test func theEngineDecodesWhatTransformersDecodes() async throws {
        let parity = try Parity.load()
        let model = try GLM4VModel(directory: Self.directory.path)
        #expect(parity.cases.count == 2)
        for c in parity.cases {
            let prompt = try Self.prompt(c, model: model)
            #expect(prompt.tokenIds == c.promptIds, "\(c.sample): the prompt differs from transformers' (\(prompt.tokenIds.count) vs \(c.promptIds.count) tokens)")
            var options = GenerationOptions(maxTokens: c.generatedIds.count)
            options.draftTokens = 0
            let result = try await model.generate(prompt, options: options)
            #expect(result.generatedIds == c.generatedIds, "\(c.sample)")
            #expect(c.generatedText.contains("<answer>"), "the fixture's reply is an action: \(c.generatedText)")
        }
    }

    /// Prompt-lookup speculative decoding on the model's own reply to the Type step: the action
    /// grammar repeats its history's, so drafts are accepted and fewer decoder passes are run —
    /// and the tokens are still transformers'.
    @Test func draftsAreAcceptedAndChangeNoToken() async throws {
        let parity = try Parity.load()
        let model = try GLM4VModel(directory: Self.directory.path)
        let typing = try #require(parity.cases.first { $0.generatedText.contains("Type") })
        let result = try await model.generate(try Self.prompt(typing, model: model), options: GenerationOptions(maxTokens: 64))
        #expect(result.generatedIds == typing.generatedIds)
        #expect(result.timings.acceptedDraftTokens > 0)
        #expect(result.timings.decodePasses < result.generatedIds.count - 1)
    }

    /// `tether model info` names the checkpoint's sizes, the matrix kernel found and how f32 and
    /// bf16 products run on this CPU (by its measured rates).
    @Test func modelInfoNamesTheKernelsThisCPUUses() async throws {
        guard tetherIsBuilt() else { return }
        let result = try await TetherTestSupport.run([tetherExecutable, "model", "info", Self.directory.path], timeout: 60)
        #expect(result.status == 0, "\(result.stderrText)")
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("matrix kernel   ") })
        // The paths this CPU's rates choose (tests elsewhere force them in this process, so they
        // are not read here): f32 on FMAs wherever bf16 is (bf16 < 0.8 × FMA implies < 1.5 ×).
        let f32 = try #require(lines.first { $0.hasPrefix("f32 products    ") })
        let bf16 = try #require(lines.first { $0.hasPrefix("bf16 products   ") })
        let onFMA = "f32 FMAs on the packed bf16 weights"
        #expect(f32.hasSuffix("two bf16 products (hi + lo) on oneDNN's kernel") || f32.contains(onFMA), "\(f32)")
        #expect(bf16.hasSuffix("oneDNN's bf16 kernel") || bf16.contains(onFMA), "\(bf16)")
        #expect(!bf16.contains(onFMA) || f32.contains(onFMA), "\(result.stdoutText)")
        #expect(lines.contains { $0.hasPrefix("vision tower    2 blocks, hidden 64") }, "\(result.stdoutText)")
    }

    /// `--max-pixels`: the screen's budget replaces the checkpoint's — fewer image tokens in the
    /// prompt (the grid transformers' smart_resize gives for that budget) — and a budget for a
    /// model on a server, or under the checkpoint's minimum, is refused with the reason.
    @Test func aPixelBudgetShrinksTheScreensTokens() async throws {
        guard tetherIsBuilt() else { return }
        let screen = Self.fixtures.appendingPathComponent("screen-1.png").path
        func generate(_ extra: [String]) async throws -> (grid: [Int], prompt: Int) {
            let result = try await TetherTestSupport.run(
                [tetherExecutable, "model", "generate", "--model", Self.directory.path, "--image", screen, "--prompt", "Where?", "--max-tokens", "2", "--json"] + extra,
                timeout: 120)
            #expect(result.status == 0, "\(result.stderrText)")
            let json = try JSONSerialization.jsonObject(with: Data(result.stdoutText.utf8)) as? [String: Any]
            let grid = try #require((json?["image_grid_thw"] as? [[Int]])?.first)
            return (grid, try #require((json?["prompt_ids"] as? [Int])?.count))
        }
        let checkpoint = try await generate([])
        let small = try await generate(["--max-pixels", "12544"])
        #expect(checkpoint.grid == [1, 22, 10], "the checkpoint's own budget: 308×140, 55 image tokens")
        #expect(small.grid == [1, 10, 4], "transformers: 140×56 for max_pixels 2·12544, 10 image tokens")
        #expect(checkpoint.prompt - small.prompt == 55 - 10)

        let below = try await TetherTestSupport.run(
            [tetherExecutable, "model", "generate", "--model", Self.directory.path, "--image", screen, "--prompt", "x", "--max-pixels", "100"],
            timeout: 60)
        #expect(below.status != 0 && below.stderrText.contains("below the checkpoint's minimum"), "\(below.stderrText)")
        let server = try await TetherTestSupport.run(
            [tetherExecutable, "run", "do it", "--endpoint", "http://127.0.0.1:9/v1", "--max-pixels", "50000"], timeout: 60)
        #expect(server.status != 0 && server.stderrText.contains("--max-pixels is for a model run in-process"), "\(server.stderrText)")
        let precision = try await TetherTestSupport.run(
            [tetherExecutable, "run", "do it", "--endpoint", "http://127.0.0.1:9/v1", "--precision", "bf16"], timeout: 60)
        #expect(precision.status != 0 && precision.stderrText.contains("--precision, --quantize and --threads are for a model run in-process"), "\(precision.stderrText)")
    }

    /// `tether run --model Devices/models/embedded --task browser-open-bookmark --seed S --lang en`
    /// (what Scripts/demo runs), S a held-out seed (not among the training seeds of
    /// training.json) whose bookmark is the second one: the model goes home, opens the browser,
    /// taps the bookmark the instruction names and finishes; the check (that page in the
    /// browser's history) passes. The prompt gives the day the training prompts gave
    /// (`--date`), as Scripts/demo does: on other days this small model answers differently.
    @Test func aHeldOutSeedRunsToAPassThroughTheCLI() async throws {
        guard tetherIsBuilt() else { return }
        let training = try JSONDecoder().decode(
            Training.self, from: try Data(contentsOf: Self.directory.appendingPathComponent("training.json")))
        let task = "browser-open-bookmark"
        let seed = try #require(training.heldOutSeeds.first)
        #expect(training.tasks.contains(task))
        #expect(!training.trainSeeds.contains(seed))
        let catalog = try sharedCatalog.get()
        let instance = try #require(catalog.task(task)).instance(seed: seed)
        let phone = try await VirtualPhoneServer.start(
            catalog: catalog, options: .init(profile: "pixel-7", seed: seed, port: 0, task: instance))
        let home = TemporaryDirectory()
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = home.path
        env["ANDROID_ADB_SERVER_PORT"] = "1"
        let result = try await TetherTestSupport.run(
            [
                tetherExecutable, "run", "--task", task, "--seed", "\(seed)", "--connect", "127.0.0.1:\(phone.port)",
                "--model", Self.directory.path, "--lang", "en", "--max-steps", "15", "--on-sensitive", "allow",
                "--devices", Paths.root.appendingPathComponent("Devices").path, "--date", training.promptDate
            ],
            environment: env, timeout: 600)
        await phone.stop()
        #expect(result.status == 0, "\(result.stdoutText)\n\(result.stderrText)")
        #expect(result.stdoutText.contains("check \(task): PASS"), "\(result.stdoutText)")
        #expect(result.stdoutText.contains(instance.instruction))
        #expect(instance.instruction.contains("City Museum"), "the bookmark a model that ignored the instruction would not tap")
    }
}

extension EmbeddedModelTests {
    /// `--precision bf16` (activations rounded for each product, as torch in bf16) on the same two
    /// steps: still transformers' action.
    @Test func bf16PrecisionDecodesTheSameActions() async throws {
        let parity = try Parity.load()
        let model = try GLM4VModel(directory: Self.directory.path, compute: ComputeOptions(precision: .bf16))
        for c in parity.cases {
            let result = try await model.generate(try Self.prompt(c, model: model), options: GenerationOptions(maxTokens: c.generatedIds.count))
            let same = zip(result.generatedIds, c.generatedIds).prefix { $0 == $1 }.count
            #expect(result.generatedIds == c.generatedIds, "\(c.sample): \(same) of \(c.generatedIds.count) tokens agree")
        }
    }
}

extension EmbeddedModelTests {
    /// An agent's request stops once `</answer>` is complete: the reply is transformers' up to and
    /// including the tag, one decoder pass shorter (the end token `<|user|>` is not generated).
    @Test func anAgentsReplyStopsAtTheEndOfItsAnswer() async throws {
        let parity = try Parity.load()
        let model = try GLM4VModel(directory: Self.directory.path)
        for c in parity.cases {
            let result = try await model.generate(try Self.prompt(c, model: model), options: GenerationOptions(agent: SamplingOptions(frequencyPenalty: 0)))
            let expected = try #require(c.generatedText.components(separatedBy: "</answer>").first) + "</answer>"
            #expect(result.agentText == expected, "\(c.sample)")
            #expect(result.generatedIds == Array(c.generatedIds.dropLast()), "\(c.sample): the end token is not generated")
        }
    }
}

extension EmbeddedModelTests {
    /// `--quantize int8` (vision tower included) and `int8-text` on the same two steps: the same
    /// actions as transformers' bf16 model, and the first position's logits close to the
    /// unquantized engine's.
    @Test(.enabled(if: ComputeOptions.oneDNNAvailable), arguments: ComputeOptions.Quantization.allCases)
    func int8WeightsDecodeTheSameActions(_ quantization: ComputeOptions.Quantization) async throws {
        let parity = try Parity.load()
        let model = try GLM4VModel(directory: Self.directory.path, compute: ComputeOptions(quantization: quantization))
        let exact = try GLM4VModel(directory: Self.directory.path)
        for c in parity.cases {
            let prompt = try Self.prompt(c, model: model)
            let result = try await model.generate(prompt, options: GenerationOptions(maxTokens: c.generatedIds.count))
            let same = zip(result.generatedIds, c.generatedIds).prefix { $0 == $1 }.count
            #expect(result.generatedIds == c.generatedIds, "\(c.sample): \(same) of \(c.generatedIds.count) tokens agree")
            let reference = try await exact.generate(prompt, options: GenerationOptions(maxTokens: 1))
            let top = result.firstTop5.map(\.logit), expected = reference.firstTop5.map(\.logit)
            let error = zip(top, expected).map { abs($0 - $1) }.max() ?? 0
            #expect(error < 0.1 * (expected.map(abs).max() ?? 1), "\(c.sample): top-5 logits differ by \(error)")
            print("int8 \(quantization.rawValue) \(c.sample): top-5 logits differ by \(error) of \(expected.map(abs).max() ?? 1)")
        }
    }
}
