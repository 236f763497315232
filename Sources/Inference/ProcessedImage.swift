/// The pre-processed form of one image: patch rows for the vision tower and their grid.
public struct ProcessedImage: Sendable {
    /// `patchCount × patchElements` floats, rows in merge-block order.
    public let pixelValues: [Float]
    /// (t, h, w) in patches.
    public let gridTHW: (t: Int, h: Int, w: Int)
    public let patchElements: Int
    /// Size the image was resized to, in pixels.
    public let resizedHeight: Int
    public let resizedWidth: Int
    public let mergeSize: Int

    public var patchCount: Int { gridTHW.t * gridTHW.h * gridTHW.w }
    /// `<|image|>` tokens this image occupies in the prompt.
    public var tokenCount: Int { patchCount / (mergeSize * mergeSize) }
}
