import Foundation

/// What a checkpoint directory holds, without running it: sizes from config.json and a census
/// of the tensors.
public struct CheckpointInfo: Sendable {
    public let directory: String
    public let config: ModelConfig
    public let imageProcessor: ImageProcessor
    public let tensorCount: Int
    public let parameterCount: Int
    /// Parameters per stored dtype (e.g. "BF16": 10_292_777_472).
    public let parametersByDType: [String: Int]
    public let weightBytes: Int
    public let tokenizerSize: Int

    public static func inspect(directory: String) throws -> CheckpointInfo {
        let config = try ModelConfig.load(directory: directory)
        let store = try WeightStore(directory: directory)
        let tokenizer = try Tokenizer.load(directory: directory)
        var byType: [String: Int] = [:]
        var params = 0, bytes = 0
        for w in store.weights.values {
            params += w.count
            bytes += w.count * w.dtype.byteSize
            byType[w.dtype.rawValue, default: 0] += w.count
        }
        return CheckpointInfo(
            directory: directory, config: config,
            imageProcessor: try ImageProcessor.load(directory: directory),
            tensorCount: store.weights.count, parameterCount: params, parametersByDType: byType,
            weightBytes: bytes, tokenizerSize: tokenizer.count)
    }

    /// Bytes of KV cache per token at fp32 (keys and values of every layer).
    public var kvBytesPerToken: Int { config.text.numLayers * 2 * config.text.numKVHeads * config.text.headDim * 4 }
}
