import Imaging
@testable import Inference

/// The synthetic phone screen of Scripts/make-screenshot-fixtures (`screenshot`), drawn from
/// the same integer formula: status bar, cards with hard edges, one-pixel strokes, hashed noise.
enum Screenshot {
    static func rgb(width: Int, height: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: width * height * 3)
        let bar = UInt32(max(height / 30, 1))
        for yi in 0..<height {
            let y = UInt32(yi)
            for xi in 0..<width {
                let x = UInt32(xi)
                var n = x &* 374_761_393 &+ y &* 668_265_263
                n = (n ^ (n >> 13)) &* 1_274_126_177
                n ^= n >> 16
                var r = (x &* 255 / UInt32(width - 1) &+ (n & 63)) & 255
                var g = (y &* 255 / UInt32(height - 1) &+ ((n >> 6) & 63)) & 255
                var b = ((x &+ y) &* 3 &+ ((n >> 12) & 31)) & 255
                let card = (y / 97) % 3 == 1 && (x / 61) % 4 != 0
                if card { (r, g, b) = (245, 245, 250) }
                if card && (x &* 7 &+ y &* 3) % 11 == 0 { (r, g, b) = (20, 20, 30) }
                if y < bar { (r, g, b) = (16, 16, 16) }
                let i = (yi * width + xi) * 3
                out[i] = UInt8(r); out[i + 1] = UInt8(g); out[i + 2] = UInt8(b)
            }
        }
        return out
    }

    static func synthetic(width: Int, height: Int) -> Image {
        Fixture.opaqueImage(width: width, height: height, rgb: rgb(width: width, height: height))
    }
}
