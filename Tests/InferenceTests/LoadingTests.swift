import Foundation
import Testing
@testable import Inference

@Suite struct LoadingTests {
    @Test func configReadsEverySize() throws {
        let c = try ModelConfig.load(directory: Fixture.tiny)
        #expect(c.text.hiddenSize == 64)
        #expect(c.text.numHeads == 4 && c.text.numKVHeads == 2 && c.text.headDim == 16)
        #expect(c.text.partialRotaryFactor == 0.5 && c.text.rotaryDim == 8)
        #expect(c.text.mropeSection == [2, 1, 1])
        #expect(c.text.vocabSize == Fixture.reference.vocab_size)
        #expect(c.imageTokenId == Fixture.reference.special_ids["<|image|>"])
        #expect(c.text.eosTokenIds.contains(Fixture.reference.special_ids["</answer>"] ?? -1))
        #expect(c.vision.outHiddenSize == 64 && c.vision.intermediateSize == 96 && c.vision.imageSize == 84)
    }

    /// transformers 5 writes rope_parameters (with partial_rotary_factor inside) instead of rope_scaling.
    @Test func configReadsTransformers5RopeParameters() throws {
        let text = try String(contentsOfFile: Fixture.tiny + "/config.json", encoding: .utf8)
        let v5 =
            text
            .replacingOccurrences(of: "\"partial_rotary_factor\": 0.5,", with: "")
            .replacingOccurrences(of: "\"rope_scaling\": {", with: "\"rope_parameters\": {\"partial_rotary_factor\": 0.5, \"rope_theta\": 500.0, ")
        let c = try ModelConfig.parse(v5)
        #expect(c.text.rotaryDim == 8)
        #expect(c.text.ropeTheta == 500)
    }

    @Test func configInconsistentRopeIsAnError() throws {
        let text = try String(contentsOfFile: Fixture.tiny + "/config.json", encoding: .utf8)
        let bad = text.replacingOccurrences(of: "\"partial_rotary_factor\": 0.5", with: "\"partial_rotary_factor\": 0.25")
        #expect(bad != text)
        #expect(throws: InferenceError.self) { try ModelConfig.parse(bad) }
    }

    @Test func readsF32F16BF16() throws {
        let f = try SafetensorsFile(path: Fixture.directory + "/dtypes.safetensors")
        let f32 = try #require(f.weights["as_f32"]), f16 = try #require(f.weights["as_f16"])
        let bf16 = try #require(f.weights["as_bf16"])
        #expect(f16.dtype == .f16 && bf16.dtype == .bf16 && f32.dtype == .f32)
        #expect(f16.floats() == f.weights["f16_exact"]?.floats())
        #expect(bf16.floats() == f.weights["bf16_exact"]?.floats())
        #expect(f32.floats().count == 15 && f32.shape == [3, 5])
        #expect(f32.f32Pointer != nil)
    }

    @Test func shardedBF16CheckpointLoads() throws {
        let store = try WeightStore(directory: Fixture.tinyBF16)
        let fp32 = try WeightStore(directory: Fixture.tiny)
        #expect(store.weights.count == fp32.weights.count)
        let w = try store.tensor("lm_head.weight", shape: [Fixture.reference.vocab_size, 64])
        #expect(w.dtype == .bf16)
        #expect(relativeError(w.floats(), fp32.weights["lm_head.weight"]?.floats() ?? []) < 1e-2)
    }

    func copyOfTiny() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tether-inference-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: Fixture.tiny, toPath: dir)
        return dir
    }

    @Test func truncatedFileIsAnError() throws {
        let dir = try copyOfTiny()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/model.safetensors"
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count - 1000).write(to: URL(fileURLWithPath: path))
        #expect {
            try SafetensorsFile(path: path)
        } throws: { error in
            guard case let .invalidSafetensors(_, reason) = error as? InferenceError else { return false }
            return reason.contains("truncated")
        }
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        #expect(throws: InferenceError.self) { try SafetensorsFile(path: path) }
        #expect(throws: InferenceError.self) { try GLM4VModel(directory: dir) }
    }

    /// Rewrites one tensor's header entry in a copy of the tiny checkpoint.
    func withEditedHeader(_ edit: (inout [String: Any]) -> Void) throws -> String {
        let dir = try copyOfTiny()
        let path = dir + "/model.safetensors"
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        var header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as? [String: Any] ?? [:]
        edit(&header)
        var h = try JSONSerialization.data(withJSONObject: header)
        while h.count < n { h.append(0x20) }
        #expect(h.count == n)
        var out = data
        out.replaceSubrange(8..<(8 + n), with: h)
        try out.write(to: URL(fileURLWithPath: path))
        return dir
    }

    @Test func wrongDTypeIsAnError() throws {
        let dir = try withEditedHeader { h in
            var e = h["model.language_model.norm.weight"] as? [String: Any] ?? [:]
            e["dtype"] = "I32"
            h["model.language_model.norm.weight"] = e
        }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: InferenceError.unsupportedDType(name: "model.language_model.norm.weight", dtype: "I32")) {
            try GLM4VModel(directory: dir)
        }
    }

    @Test func configDisagreeingWithTensorsIsAnError() throws {
        let dir = try copyOfTiny()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/config.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "\"intermediate_size\": 112", with: "\"intermediate_size\": 120")
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try GLM4VModel(directory: dir)
        } throws: { error in
            guard case let .shapeMismatch(name, expected, actual) = error as? InferenceError else { return false }
            return name.hasSuffix("gate_up_proj.weight") && expected == [240, 64] && actual == [224, 64]
        }
    }

    @Test func missingTensorIsAnError() throws {
        let dir = try withEditedHeader { h in
            let e = h.removeValue(forKey: "model.visual.post_layernorm.weight")
            h["model.visual.renamed_norm.weight"] = e
        }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect {
            try GLM4VModel(directory: dir)
        } throws: { error in
            guard case let .missingTensor(name, _) = error as? InferenceError else { return false }
            return name == "model.visual.post_layernorm.weight"
        }
    }

    @Test func missingDirectoryIsAnError() {
        #expect(throws: InferenceError.self) { try GLM4VModel(directory: "/nonexistent/model") }
    }
}
