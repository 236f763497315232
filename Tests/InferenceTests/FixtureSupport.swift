import Foundation
import Imaging
@testable import Inference

/// The fixtures written by Scripts/make-model-fixture (transformers 5.23 / tokenizers 0.23 / Pillow 13).
enum Fixture {
    static let directory: String = {
        if let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) { return url.path }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    }()
    static var tiny: String { directory + "/tiny" }
    static var tinyBF16: String { directory + "/tiny-bf16" }

    struct CorpusEntry: Decodable {
        let text: String
        let ids: [Int]
        let decoded: String
        let decoded_skip_special: String
    }
    struct ChatCase: Decodable {
        struct Message: Decodable { let role: String; let content: String }
        let messages: [Message]
        let rendered: String
    }
    struct ImageMeta: Decodable { let height: Int; let width: Int; let grid_thw: [Int] }
    struct Top5: Decodable { let ids: [Int]; let logits: [Float] }
    struct Reference: Decodable {
        let special_ids: [String: Int]
        let vocab_size: Int
        let corpus: [CorpusEntry]
        let chat: [ChatCase]
        let images: [String: ImageMeta]
        let prompt_text: String
        let prompt_ids: [Int]
        let two_images_text: String
        let two_images_prompt_ids: [Int]
        let generated_ids: [Int]
        let bf16_generated_ids: [Int]
        let frequency_penalty: Float
        let frequency_penalty_generated_ids: [Int]
        let top5: Top5
    }

    static let reference: Reference = {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/reference.json"))
            return try JSONDecoder().decode(Reference.self, from: data)
        } catch {
            preconditionFailure("fixture reference.json unreadable: \(error)")
        }
    }()

    static let tensors: SafetensorsFile = {
        do { return try SafetensorsFile(path: directory + "/reference.safetensors") } catch {
            preconditionFailure("fixture reference.safetensors unreadable: \(error)")
        }
    }()

    static func floats(_ name: String) -> [Float] {
        guard let w = tensors.weights[name] else { preconditionFailure("no fixture tensor \(name)") }
        return w.floats()
    }

    static func shape(_ name: String) -> [Int] { tensors.weights[name]?.shape ?? [] }

    static func ints(_ name: String) -> [Int] {
        guard let w = tensors.weights[name] else { preconditionFailure("no fixture tensor \(name)") }
        switch w.dtype {
        case .i64: return (0..<w.count).map { Int(w.data.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
        case .u8: return (0..<w.count).map { Int(w.data.load(fromByteOffset: $0, as: UInt8.self)) }
        default: preconditionFailure("fixture tensor \(name) is \(w.dtype)")
        }
    }

    static func rgbaImage(_ name: String) -> Image {
        let s = shape("image.\(name).rgb")
        return opaqueImage(width: s[1], height: s[0], rgb: ints("image.\(name).rgb").map { UInt8($0) })
    }

    /// An opaque image from packed RGB bytes.
    static func opaqueImage(width: Int, height: Int, rgb: [UInt8]) -> Image {
        var rgba = [UInt8](repeating: 255, count: width * height * 4)
        for i in 0..<(width * height) {
            rgba[4 * i] = rgb[3 * i]; rgba[4 * i + 1] = rgb[3 * i + 1]; rgba[4 * i + 2] = rgb[3 * i + 2]
        }
        do { return try Image(width: width, height: height, bytes: rgba) } catch {
            preconditionFailure("fixture image \(width)×\(height): \(error)")
        }
    }

    static let model: GLM4VModel = {
        do { return try GLM4VModel(directory: tiny) } catch {
            preconditionFailure("tiny model failed to load: \(error)")
        }
    }()
}

/// max |a − b| / max |b|: the error relative to the reference tensor's scale.
func relativeError(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count, !b.isEmpty else { return .infinity }
    var num: Float = 0, den: Float = 0
    for i in b.indices {
        num = max(num, abs(a[i] - b[i]))
        den = max(den, abs(b[i]))
    }
    return den == 0 ? num : num / den
}
