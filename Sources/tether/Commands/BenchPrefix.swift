import ArgumentParser
import Foundation
import Inference

extension BenchCommand {
    /// `tether bench prefix`: two agent steps with and without the prefix cache, for
    /// Scripts/bench-prefix-reuse. Step 2's prompt is step 1's text turns, a reply and a new
    /// screenshot, the agent's layout; it runs once reusing step 1's KV cache and once from scratch.
    struct Prefix: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prefix",
            abstract: "Time an agent's second step with and without reusing the first step's KV cache (Scripts/bench-prefix-reuse).")

        @Option(name: .long, help: "Checkpoint directory.") var model: String
        @Option(name: .long, help: "Step 1's screenshot (PNG or JPEG).") var image1: String
        @Option(name: .long, help: "Step 2's screenshot (PNG or JPEG).") var image2: String
        @Option(name: .long, help: "Length of the system prompt in tokens (1–2k for the phone agent's).")
        var systemTokens: Int = 1500
        @Option(name: .long, help: "Tokens to generate per step.") var maxTokens: Int = 4

        func run() async throws {
            let m = try GLM4VModel(directory: model)
            let first = try ModelCommand.readImage(image1), second = try ModelCommand.readImage(image2)
            let system = Self.systemPrompt(tokens: systemTokens, tokenizer: m.tokenizer)
            let task = "Open Chrome and search for the weather in Paris\n\n{\"current_app\": \"System Home\"}"
            let reply =
                "<think>The home screen is shown; Chrome is not open yet, so launch it first.</think>"
                + "<answer>do(action=\"Launch\", app=\"Chrome\")</answer>"
            let step1 = try m.prompt([.system(system), .user(task, images: 1)], images: [first])
            let step2 = try m.prompt(
                [
                    .system(system), .user(task), .assistant(reply),
                    .user("** Screen Info **\n\n{\"current_app\": \"Chrome\"}", images: 1)
                ],
                images: [second])
            let options = GenerationOptions(maxTokens: maxTokens, stopTokenIds: [])
            let cache = PrefixCache()
            let runs: [(String, Prompt, PrefixCache?)] = [
                ("step1", step1, cache), ("step2-reused", step2, cache), ("step2-scratch", step2, nil)
            ]
            for (name, prompt, cache) in runs {
                let r = try await m.generate(prompt, options: options, prefixCache: cache)
                let t = r.timings
                say(
                    "\(name) prompt_tokens=\(prompt.tokenIds.count) reused=\(r.reusedPromptTokens) "
                        + "prefilled=\(t.prefilledTokens) vision_s=\(String(format: "%.2f", t.vision)) "
                        + "prefill_s=\(String(format: "%.2f", t.prefill)) ids=\(r.generatedIds)")
            }
        }

        /// Filler text of about `tokens` tokens: only the count matters on random weights.
        static func systemPrompt(tokens: Int, tokenizer: Tokenizer) -> String {
            let sentence = "Look at the screen, think about the task, then answer with exactly one action. "
            var text = ""
            while tokenizer.encode(text).count < tokens { text += sentence }
            return tokenizer.decode(Array(tokenizer.encode(text).prefix(tokens)), skipSpecialTokens: false)
        }
    }
}
