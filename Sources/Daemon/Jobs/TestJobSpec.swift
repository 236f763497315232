import Agent
import Flows
import Foundation

/// What `POST /v1/jobs` takes for a `test` job: flows (Maestro-style YAML, docs/flows.md) run on
/// one phone as `tether test` runs them, with the results and reports kept under the job.
public struct TestJobSpec: Sendable, Codable, Equatable {
    /// One flow file, given by its name (which `runFlow` uses to name the others) and its text.
    public struct FlowFile: Sendable, Codable, Equatable {
        public var name: String
        public var yaml: String

        public init(name: String, yaml: String) {
            self.name = name
            self.yaml = yaml
        }
    }

    public var kind: String
    public var flows: [FlowFile]
    public var device: String?
    /// Any phone of this model, on any host.
    public var deviceModel: String?
    /// Extra attempts for a failed flow; a later pass is `flaky`.
    public var retries: Int?
    /// `${NAME}` variables, over the flows' own `env`.
    public var env: [String: String]?
    public var includeTags: [String]?
    public var excludeTags: [String]?
    /// Seconds the whole job may take.
    public var timeout: Double?
    /// The model for `goal` and `assertWithAI` (as a run job's backend); none: those fail saying so.
    public var backend: RunJobSpec.Backend?
    public var retry: RunJobSpec.Retry?

    enum CodingKeys: String, CodingKey {
        case kind, flows, device, retries, env, timeout, backend, retry
        case includeTags = "include_tags", excludeTags = "exclude_tags", deviceModel = "device_model"
    }

    public init(flows: [FlowFile], device: String? = nil, retries: Int? = nil, env: [String: String]? = nil) {
        kind = "test"
        self.flows = flows
        self.device = device
        self.retries = retries
        self.env = env
    }

    public var seconds: Double { timeout ?? 3600 }

    /// Checks what decoding cannot, and every flow as `tether test` would before touching a phone
    /// (YAML, commands, arguments, `runFlow` files and cycles), in a scratch folder.
    public func validate() throws(APIError) {
        try RunJobSpec.validate(deviceModel: deviceModel)
        guard !flows.isEmpty, flows.count <= 200 else { throw .badRequest("\"flows\" must hold 1…200 flow files") }
        var names = Set<String>()
        for flow in flows {
            guard Self.isPlainName(flow.name) else {
                throw .badRequest("flow name \"\(flow.name)\" must be a file name ending in .yaml or .yml, without folders")
            }
            guard names.insert(flow.name).inserted else { throw .badRequest("two flows are named \(flow.name)") }
        }
        if let retries, !(0...10).contains(retries) { throw .badRequest("\"retries\" must be 0…10") }
        guard seconds > 0, seconds <= 7 * 24 * 3600 else { throw .badRequest("\"timeout\" must be 0 < seconds ≤ 604800") }
        if let backend, backend.choice == nil {
            throw .badRequest("\"backend\" needs exactly one of \"endpoint\" (with \"model\", \"api_key\"), \"model_dir\" or \"scripted\"")
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tether-flows-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        do { _ = try load(into: scratch) } catch {
            throw .badRequest(error.description.replacingOccurrences(of: scratch.path + "/", with: ""))
        }
    }

    /// Writes the flows into `folder` and loads them (errors name file:line:column).
    public func load(into folder: URL) throws(FlowError) -> [Flow] {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for flow in flows { try Data(flow.yaml.utf8).write(to: folder.appendingPathComponent(flow.name)) }
        } catch {
            throw FlowError("cannot write the flows to \(folder.path): \(error.localizedDescription)", at: nil)
        }
        var loaded: [Flow] = []
        for flow in flows { loaded.append(try FlowLoader.load(path: folder.appendingPathComponent(flow.name).path)) }
        return loaded
    }

    static func isPlainName(_ name: String) -> Bool {
        (1...200).contains(name.count) && (name.hasSuffix(".yaml") || name.hasSuffix(".yml")) && !name.hasPrefix(".")
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }

    public func json() throws(APIError) -> String {
        do { return String(decoding: try JSONEncoder().encode(self), as: UTF8.self) } catch {
            throw APIError(.badRequest, "the job cannot be stored: \(error)")
        }
    }
}
