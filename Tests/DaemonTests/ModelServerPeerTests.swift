import Foundation
import PhoneRig
import Imaging
import Inference
import TetherTestSupport
import Testing
@testable import Daemon

/// The model server against peers nobody here wrote: the official `openai` Python client
/// (Scripts/openai-check), and `tether run --endpoint` against `tether run --model`.
@Suite(.serialized) struct ModelServerPeerTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func theOfficialOpenAIClientGetsWhatTheEngineGives() async throws {
        let venv = try await run([Self.repository.appendingPathComponent("Scripts/peer-venv").path], timeout: 900)
        try #require(venv.status == 0, "Scripts/peer-venv failed: \(venv.stderrText)")
        let python = venv.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)

        let scratch = TemporaryDirectory()
        let png = try ModelServerFixture.screen()
        let jpegBytes = try ModelServerFixture.screen(3).jpegData(quality: 80)
        try Data(try png.pngData()).write(to: scratch.url.appendingPathComponent("screen.png"))
        try Data(jpegBytes).write(to: scratch.url.appendingPathComponent("screen.jpg"))
        let expectedPNG = try await ModelServerFixture.direct(image: png)
        let expectedJPEG = try await ModelServerFixture.direct(image: try Image(jpegData: jpegBytes))

        var options = TetherDaemon.Options()
        options.model = try ModelServerFixture.engine()
        let output = try await withDaemon(options: options) { _, api in
            try await run(
                [
                    python, Self.repository.appendingPathComponent("Scripts/openai-check").path,
                    "--base-url", "http://127.0.0.1:\(api.port)/v1", "--api-key", api.token, "--model", "tiny",
                    "--png", scratch.url.appendingPathComponent("screen.png").path,
                    "--jpeg", scratch.url.appendingPathComponent("screen.jpg").path,
                    "--system", ModelServerFixture.system, "--text", ModelServerFixture.task, "--max-tokens", "6"
                ], timeout: 300)
        }
        try #require(output.status == 0, "\(output.stdoutText)\(output.stderrText)")
        let seen = try #require(try JSONSerialization.jsonObject(with: Data(output.stdoutText.utf8)) as? [String: Any])
        func field(_ path: String...) -> Any? {
            var value: Any? = seen
            for key in path { value = (value as? [String: Any])?[key] }
            return value
        }
        #expect(field("models") as? [String] == ["tiny"])
        #expect(field("png", "text") as? String == expectedPNG.text)
        #expect(field("png", "usage", "completion_tokens") as? Int == expectedPNG.generatedIds.count)
        #expect(field("png", "usage", "prompt_tokens") as? Int == expectedPNG.promptIds.count)
        #expect(field("png_stream", "text") as? String == expectedPNG.text)
        #expect(field("png_stream", "usage", "completion_tokens") as? Int == expectedPNG.generatedIds.count)
        #expect(field("jpeg_stream", "text") as? String == expectedJPEG.text)
        #expect((field("next_step", "usage", "cached_tokens") as? Int ?? 0) > 0, "\(output.stdoutText)")
        #expect(field("remote_url", "status") as? Int == 400)
        #expect((field("remote_url", "message") as? String)?.contains("only data URIs") == true, "\(output.stdoutText)")
        #expect(field("wrong_key", "class") as? String == "AuthenticationError")
    }

    /// The same greedy run twice on identical virtual phones: once with the engine in the
    /// `tether` process, once with `tether` asking the daemon's model server. The episodes'
    /// model texts are equal, step for step.
    @Test func tetherRunAgainstTheDaemonMatchesTheInProcessEngine() async throws {
        guard tetherIsBuilt() else { return }
        let scratch = TemporaryDirectory()
        let prompt = scratch.url.appendingPathComponent("system.txt")
        try "Act on the phone.".write(to: prompt, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = scratch.path
        environment["ANDROID_ADB_SERVER_PORT"] = "1"

        func episode(_ backend: [String], into name: String) async throws -> [String] {
            let folder = scratch.url.appendingPathComponent(name)
            let result = try await withPhoneRig(profile: "pixel-7", seed: 1) { rig in
                try await run(
                    [
                        tetherExecutable, "run", "Turn off Wi-Fi", "--connect", "127.0.0.1:\(rig.port)", "--lang", "en",
                        "--max-steps", "3", "--max-tokens", "8", "--system-prompt", prompt.path,
                        "--devices", Self.repository.appendingPathComponent("Devices").path, "--record", folder.path
                    ] + backend, environment: environment, timeout: 300)
            }
            let steps = try String(contentsOf: folder.appendingPathComponent("steps.jsonl"), encoding: .utf8)
            let texts = try steps.split(separator: "\n").map { line in
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                return try #require(object["model_text"] as? String, "\(line)")
            }
            #expect(!texts.isEmpty, "\(result.stdoutText)\(result.stderrText)")
            return texts
        }

        let local = try await episode(["--model", ModelServerFixture.directory], into: "local")
        var options = TetherDaemon.Options()
        options.model = try ModelServerFixture.engine()
        let served = try await withDaemon(options: options) { _, api in
            try await episode(
                [
                    "--endpoint", "http://127.0.0.1:\(api.port)/v1", "--model-name", "tiny", "--api-key", api.token,
                    "--tokenizer", ModelServerFixture.directory
                ], into: "served")
        }
        #expect(local.count >= 2, "a second step, whose prompt reuses the first one's prefix: \(local)")
        #expect(served == local)
    }
}
