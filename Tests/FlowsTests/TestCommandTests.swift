import Basics
import Foundation
import TetherTestSupport
import Testing

/// `tether test` as CI runs it: two virtual phones in the process, the examples plus a failing
/// flow, the JUnit file checked against the XSD and read by junitparser, the HTML report opened
/// in headless Chromium. Set $TETHER_FLOWS_SHOT to keep the report's picture.
@Suite(.serialized) struct TestCommandTests {
    static let hasChromium =
        FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")

    static func python() async throws -> String {
        let venv = try await run([repository.appendingPathComponent("Scripts/peer-venv").path], timeout: 900)
        #expect(venv.status == 0, "Scripts/peer-venv: \(venv.stderrText)")
        return venv.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last.map(String.init) ?? ""
    }

    @Test func aBrokenFlowStopsTheRunBeforeAnyPhoneIsTouched() async throws {
        guard tetherIsBuilt() else { return }
        let scratch = TemporaryDirectory()
        let folder = try writeFlows(
            ["good.yaml": "appId: x\n---\n- back\n", "bad.yaml": "appId: x\n---\n- back\n- swipe:\n    direction: SIDEWAYS\n"], in: scratch)
        // Port 1 has no phone: touching it would fail differently.
        let result = try await run([tetherExecutable, "test", folder.path, "--connect", "127.0.0.1:1"], timeout: 60)
        #expect(result.status == 2)
        #expect(result.stderrText.contains("bad.yaml:5:16: swipe.direction should be UP, DOWN, LEFT or RIGHT"), "\(result.stderrText)")
        #expect(result.stderrText.contains("nothing was run"))
    }

    @Test func goalAndAssertWithAIThroughAnOpenAICompatibleServer() async throws {
        guard tetherIsBuilt() else { return }
        let scratch = TemporaryDirectory()
        let flow = try writeFlows(
            [
                "ai.yaml": """
                appId: com.android.settings
                ---
                - launchApp
                - goal:
                    text: Open the display settings
                    maxSteps: 3
                    check:
                      - assertVisible: Dark theme
                - assertWithAI: The display settings are open
                """
            ], in: scratch
        ).appendingPathComponent("ai.yaml")
        let server = try await ScriptedModelServer(replies: [
            #"<think>Display is a row in Settings.</think><answer>do(action="Tap", element=[500,318])</answer>"#,
            #"<answer>finish(message="Display settings are open")</answer>"#,
            "PASS: the Display page shows Dark theme"
        ])
        let (with, without) = try await withCleanup {
            let common = [
                tetherExecutable, "test", flow.path, "--vphones", "1", "--output", scratch.url.appendingPathComponent("out").path,
                "--devices", repository.appendingPathComponent("Devices").path
            ]
            return (
                try await run(common + ["--endpoint", server.baseURL, "--model-name", "scripted"], timeout: 180),
                try await run(common, timeout: 180)
            )
        } cleanup: {
            await server.stop()
        }
        #expect(with.status == 0, "\(with.stdoutText)\(with.stderrText)")
        #expect(server.bodies.count == 3, "two agent steps and one judgement")
        let judged = String(decoding: server.bodies.last ?? Data(), as: UTF8.self)
        #expect(judged.contains("The display settings are open") && judged.contains("image_url"))
        #expect(without.status == 1)
        #expect(without.stdoutText.contains("ai.yaml:4:3: goal \"Open the display settings\": goal needs a model"), "\(without.stdoutText)")
    }

    @Test(.enabled(if: hasChromium, "needs /usr/bin/chromium and /usr/bin/chromedriver (Scripts/bootstrap)"))
    func twoVirtualPhonesJUnitAndHTML() async throws {
        guard tetherIsBuilt() else { return }
        let python = try await Self.python()
        let scratch = TemporaryDirectory()
        let failing = try writeFlows(
            [
                "failing.yaml": """
                appId: com.android.settings
                name: Missing row
                ---
                - launchApp
                - assertVisible: "Developer options"
                """
            ], in: scratch
        ).appendingPathComponent("failing.yaml")
        let junit = scratch.url.appendingPathComponent("report.xml").path
        let html = scratch.url.appendingPathComponent("html").path
        let result = try await run(
            [
                tetherExecutable, "test", examples.path, failing.path, "--vphones", "2", "--shards", "2", "--junit", junit, "--html", html,
                "--output", scratch.url.appendingPathComponent("out").path, "--devices", repository.appendingPathComponent("Devices").path
            ], timeout: 300)
        #expect(result.status == 1, "one flow fails:\n\(result.stdoutText)\(result.stderrText)")
        #expect(result.stdoutText.contains("failing.yaml:5:3: assertVisible \"Developer options\": no element matched"))
        #expect(result.stdoutText.contains("5 flows: 4 passed, 0 flaky, 1 failed, 0 skipped"), "\(result.stdoutText)")

        let check = try await run(
            [
                python, repository.appendingPathComponent("Scripts/junit-check").path, junit,
                repository.appendingPathComponent("Tests/FlowsTests/Schema/junit.xsd").path
            ], timeout: 120)
        #expect(check.status == 0, "valid against the XSD: \(check.stderrText)")
        let seen = try JSONSerialization.jsonObject(with: check.stdout) as? [String: Any]
        let suites = seen?["suites"] as? [[String: Any]] ?? []
        #expect(suites.count == 5, "a testsuite per file")
        let failed = suites.first { ($0["name"] as? String)?.hasSuffix("failing.yaml") == true }
        #expect(failed?["failures"] as? Int == 1)
        let cases = failed?["cases"] as? [[String: Any]] ?? []
        #expect((cases.first?["message"] as? String)?.contains("failing.yaml:5:3") == true)
        #expect((cases.first?["system_out"] as? String)?.contains("[[ATTACHMENT|") == true)
        let serials = Set(suites.compactMap { ($0["properties"] as? [String: String])?["device"] })
        #expect(serials.count == 2, "flows ran on both phones: \(serials)")

        var arguments = [python, repository.appendingPathComponent("Tests/FlowsTests/Schema/report-check.py").path, html + "/index.html"]
        if let shot = ProcessInfo.processInfo.environment["TETHER_FLOWS_SHOT"] { arguments += ["--shot", shot] }
        let page = try await run(arguments, timeout: 180)
        #expect(page.status == 0, "\(page.stderrText)")
        let report = try JSONSerialization.jsonObject(with: page.stdout) as? [String: Any]
        #expect(report?["flows"] as? Int == 5)
        #expect((report?["errors"] as? [String])?.isEmpty == true, "no console errors: \(report?["errors"] ?? "")")
        #expect(report?["broken_images"] as? Int == 0)
        #expect((report?["failures"] as? [String])?.first?.contains("Developer options") == true)
    }
}
