import Foundation
import PhoneRig
import TetherTestSupport
import Testing

@testable import Daemon

/// The daemon held to its OpenAPI description by a peer nobody here wrote: schemathesis
/// generates requests from docs/api.yaml (valid and hostile ones) against a live daemon with a
/// virtual phone, and checks every answer: never a 5xx, only documented statuses and content
/// types, bodies that match their schemas, invalid data refused and valid data accepted.
@Suite(.serialized) struct OpenAPIConformanceTests {
    @Test func theServerMatchesDocsAPIYaml() async throws {
        let python = try await PeerPython.path()
        let schemathesis = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("schemathesis").path
        try await withPhoneRig { rig in
            let serial = "127.0.0.1:\(rig.port)"
            try await withDaemon(devices: [serial]) { _, api in
                try await api.waitForDevice(serial)
                let scratch = TemporaryDirectory()
                // Real identifiers, so that the phone's routes are exercised, not only their 404s.
                let config = scratch.url.appendingPathComponent("schemathesis.toml")
                // A test job's flows are YAML the flow parser judges, which no JSON schema can say:
                // schema-valid random text there is refused (400), so for POST /v1/jobs a 400 is
                // not held against the server by positive_data_acceptance.
                let toml = """
                    [parameters]
                    "path.serial" = "\(serial)"

                    [[operations]]
                    include-path = "/v1/jobs"
                    include-method = "POST"
                    checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]
                    """
                try Data(toml.utf8).write(to: config)
                let result = try await run(
                    [
                        schemathesis, "--config-file", config.path, "--no-color", "run",
                        repositoryRoot.appendingPathComponent("docs/api.yaml").path,
                        "--url", "http://127.0.0.1:\(api.port)", "-H", "Authorization: Bearer \(api.token)",
                        // MCP clients must accept JSON (OpenAPI cannot require an Accept header).
                        "-H", "Accept: application/json, text/event-stream",
                        "--checks", "all",
                        // Hummingbird answers a known path with an unknown method 404, not 405.
                        "--exclude-checks", "unsupported_method",
                        // WebSocket upgrades are not HTTP operations a fuzzer can call.
                        "--exclude-path-regex", "/(events|live)$",
                        "--phases", "examples,coverage,fuzzing", "--max-examples", "15",
                        "--seed", String(testSeed % 1_000_000_007), "--request-timeout", "20"
                    ], timeout: 600)
                // The failures section names each finding with a curl line that repeats it.
                let output = result.stdoutText
                let failures = output.range(of: "FAILURES").map { String(output[$0.lowerBound...]) } ?? output
                #expect(result.status == 0, "schemathesis found: \(failures.prefix(12000))\n\(result.stderrText.suffix(2000))")
            }
        }
    }
}
