import Imaging

/// The image type Inference took before it used Imaging's `Image`; kept only until Agent and the
/// tether CLI pass their `Image` straight to `GLM4VModel.prompt(_:images:)`.
@available(*, deprecated, message: "pass an Imaging.Image to GLM4VModel.prompt(_:images:) or ImageProcessor.process(_:)")
public struct RGBAImage: Sendable {
    public let width: Int
    public let height: Int
    public let bytes: [UInt8]

    public init(width: Int, height: Int, bytes: [UInt8]) {
        self.width = width
        self.height = height
        self.bytes = bytes
    }

    /// The same pixels as an `Image`; a size or byte count that does not fit is an error.
    public func image() throws -> Image {
        do {
            return try Image(width: width, height: height, bytes: bytes)
        } catch {
            throw InferenceError.invalidImage("a \(width)×\(height) RGBA image: \(error)")
        }
    }
}

extension GLM4VModel {
    @_disfavoredOverload
    @available(*, deprecated, message: "pass Imaging.Image values")
    public func prompt(_ messages: [ChatMessage], images: [RGBAImage], addGenerationPrompt: Bool = true) throws -> Prompt {
        try prompt(messages, images: images.map { try $0.image() }, addGenerationPrompt: addGenerationPrompt)
    }
}
