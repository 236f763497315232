import AndroidPhone
import Flows
import Foundation
import PhoneRig
import TetherTestSupport

/// The repository, found from this file.
let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let examples = repository.appendingPathComponent("examples/flows")

/// Writes `files` (name → YAML) into a scratch folder and returns it.
func writeFlows(_ files: [String: String], in scratch: TemporaryDirectory) throws -> URL {
    for (name, text) in files {
        let url = scratch.url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }
    return scratch.url
}

/// Parses YAML as a flow file; the error when it cannot.
func parse(_ yaml: String, file: String = "flow.yaml") -> Result<Flow, FlowError> {
    Result { () throws(FlowError) in try FlowLoader.parse(yaml: yaml, file: file) }
}

/// Runs flows on fresh virtual phones (pixel-7, seed 1, as `tether test --vphones` starts them).
func runOnVirtualPhones(
    _ flows: [Flow], phones count: Int = 1, retries: Int = 0, scratch: TemporaryDirectory,
    configure: (inout FlowSuite) -> Void = { _ in }
) async throws -> [FlowResult] {
    var rigs: [PhoneRig] = []
    return try await withCleanup {
        for _ in 0..<count { rigs.append(try await PhoneRig.start(profile: "pixel-7", seed: 1)) }
        var options = FlowRunOptions(outputDirectory: scratch.url.appendingPathComponent("output"))
        options.episodesDirectory = scratch.url.appendingPathComponent("episodes")
        options.thumbnails = true
        var suite = FlowSuite(flows: flows, options: options, retries: retries)
        configure(&suite)
        var phones: [FlowPhone] = []
        for rig in rigs { phones.append(await FlowPhone.describe(rig.phone, serial: "127.0.0.1:\(rig.port)")) }
        return await suite.run(on: phones)
    } cleanup: {
        for rig in rigs { await rig.stop() }
    }
}
