import Flows
import Imaging
import Testing

@Suite struct ReplayPatchSimilarityTests {
    /// A grey screen with a dark square at (`x`, `y`) of the given size.
    func screen(width: Int, height: Int, square: (x: Int, y: Int, side: Int)) throws -> Image {
        var bytes = [UInt8](repeating: 200, count: width * height * 4)
        for y in square.y..<(square.y + square.side) {
            for x in square.x..<(square.x + square.side) {
                let o = (y * width + x) * 4
                (bytes[o], bytes[o + 1], bytes[o + 2]) = (20, 40, 60)
            }
        }
        return try Image(width: width, height: height, bytes: bytes)
    }

    @Test func sameSurroundingsOnAnotherSizeMatchAndMovedOnesDoNot() throws {
        let recorded = try screen(width: 200, height: 400, square: (90, 190, 20))
        let scaled = try screen(width: 400, height: 800, square: (180, 380, 40))
        let moved = try screen(width: 200, height: 400, square: (20, 40, 20))
        let similarity = PatchSimilarity()
        #expect(similarity.score(recorded: recorded, at: (95, 195), current: scaled) > 0.8)
        #expect(similarity.score(recorded: recorded, at: (95, 195), current: moved) < 0.5)
    }
}
