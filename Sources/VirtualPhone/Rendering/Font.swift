internal import CFreeType
import Foundation
import Imaging

/// Text drawn with FreeType from fonts of Debian packages: DejaVu Sans for Latin text and
/// WenQuanYi Micro Hei (when installed) for CJK and anything DejaVu lacks.
/// One instance belongs to one phone actor; it is not shared across threads.
final class TextRenderer {
    private var library: FT_Library?
    private var faces: [FT_Face] = []
    private var boldFace: FT_Face?
    private struct GlyphKey: Hashable { var codepoint: UInt32; var size: Int; var bold: Bool }
    private struct Glyph {
        var width: Int, height: Int, left: Int, top: Int, advance: Int
        var coverage: [UInt8]
    }
    private var cache: [GlyphKey: Glyph] = [:]

    static let regularCandidates = [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    ]
    static let boldCandidates = [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
    ]
    static let fallbackCandidates = [
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
    ]

    init() throws(VirtualPhoneError) {
        var lib: FT_Library?
        guard FT_Init_FreeType(&lib) == 0, let lib else { throw .font("FreeType failed to initialise") }
        library = lib
        func open(_ path: String) -> FT_Face? {
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            var face: FT_Face?
            guard FT_New_Face(lib, path, 0, &face) == 0 else { return nil }
            return face
        }
        guard let regular = Self.regularCandidates.lazy.compactMap(open).first else {
            FT_Done_FreeType(lib)
            library = nil
            throw .font("no font found at \(Self.regularCandidates.joined(separator: ", ")); install fonts-dejavu-core (Scripts/bootstrap)")
        }
        faces = [regular]
        if let fallback = Self.fallbackCandidates.lazy.compactMap(open).first { faces.append(fallback) }
        boldFace = Self.boldCandidates.lazy.compactMap(open).first
    }

    deinit {
        for face in faces { FT_Done_Face(face) }
        if let boldFace { FT_Done_Face(boldFace) }
        if let library { FT_Done_FreeType(library) }
    }

    private func glyph(_ codepoint: UInt32, size: Int, bold: Bool) -> Glyph {
        let key = GlyphKey(codepoint: codepoint, size: size, bold: bold)
        if let g = cache[key] { return g }
        var chosen: FT_Face?
        var index: FT_UInt = 0
        let order = (bold ? [boldFace].compactMap { $0 } : []) + faces
        for face in order {
            let i = FT_Get_Char_Index(face, FT_ULong(codepoint))
            if i != 0 { chosen = face; index = i; break }
        }
        let face = chosen ?? faces[0]
        var result = Glyph(width: 0, height: 0, left: 0, top: 0, advance: size / 2, coverage: [])
        if FT_Set_Pixel_Sizes(face, 0, FT_UInt(size)) == 0,
            FT_Load_Glyph(face, index, FT_Int32(FT_LOAD_DEFAULT)) == 0,
            let slot = face.pointee.glyph,
            FT_Render_Glyph(slot, FT_RENDER_MODE_NORMAL) == 0
        {
            let bitmap = slot.pointee.bitmap
            let w = Int(bitmap.width), h = Int(bitmap.rows), pitch = Int(bitmap.pitch)
            var coverage = [UInt8](repeating: 0, count: w * h)
            if let buffer = bitmap.buffer, pitch >= w {
                for y in 0..<h {
                    for x in 0..<w { coverage[y * w + x] = buffer[y * pitch + x] }
                }
            }
            result = Glyph(
                width: w, height: h, left: Int(slot.pointee.bitmap_left), top: Int(slot.pointee.bitmap_top),
                advance: Int((slot.pointee.advance.x + 32) >> 6), coverage: coverage)
        }
        cache[key] = result
        return result
    }

    /// The advance width of a line of text in pixels.
    func width(_ text: String, size: Int, bold: Bool = false) -> Int {
        text.unicodeScalars.reduce(0) { $0 + glyph($1.value, size: size, bold: bold).advance }
    }

    /// Splits text into lines no wider than `maxWidth` (at spaces, or anywhere for CJK).
    func wrap(_ text: String, size: Int, maxWidth: Int, bold: Bool = false) -> [String] {
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            var lineWidth = 0
            var word = ""
            var wordWidth = 0
            func flushWord() {
                if lineWidth + wordWidth > maxWidth, !line.isEmpty {
                    lines.append(line.trimmingCharacters(in: .whitespaces))
                    line = ""
                    lineWidth = 0
                }
                line += word
                lineWidth += wordWidth
                word = ""
                wordWidth = 0
            }
            for scalar in paragraph.unicodeScalars {
                let w = glyph(scalar.value, size: size, bold: bold).advance
                let breakable = scalar == " " || scalar.value >= 0x2E80
                word.unicodeScalars.append(scalar)
                wordWidth += w
                if breakable { flushWord() }
                if wordWidth > maxWidth { flushWord() }
            }
            flushWord()
            lines.append(line.trimmingCharacters(in: .whitespaces))
        }
        return lines
    }

    /// Cuts text to fit `maxWidth`, ending it with "…" when cut.
    func fit(_ text: String, size: Int, maxWidth: Int, bold: Bool = false) -> String {
        if width(text, size: size, bold: bold) <= maxWidth { return text }
        var out = ""
        var w = width("…", size: size, bold: bold)
        for scalar in text.unicodeScalars {
            let a = glyph(scalar.value, size: size, bold: bold).advance
            if w + a > maxWidth { break }
            out.unicodeScalars.append(scalar)
            w += a
        }
        return out + "…"
    }

    /// Draws one line with its baseline at `baseline`; returns the advance.
    @discardableResult
    func draw(_ text: String, x: Int, baseline: Int, size: Int, color: Color, bold: Bool = false, into image: inout Image) -> Int {
        var pen = x
        let width = image.width, height = image.height, stride = image.stride
        for scalar in text.unicodeScalars {
            let g = glyph(scalar.value, size: size, bold: bold)
            let ox = pen + g.left, oy = baseline - g.top
            if g.width > 0 {
                image.withUnsafeMutableBytes { raw in
                    guard let p = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
                    for gy in 0..<g.height {
                        let y = oy + gy
                        guard y >= 0, y < height else { continue }
                        for gx in 0..<g.width {
                            let xx = ox + gx
                            guard xx >= 0, xx < width else { continue }
                            let c = Int(g.coverage[gy * g.width + gx]) * Int(color.a) / 255
                            guard c > 0 else { continue }
                            let px = p + y * stride + xx * 4
                            px[0] = UInt8((Int(color.r) * c + Int(px[0]) * (255 - c)) / 255)
                            px[1] = UInt8((Int(color.g) * c + Int(px[1]) * (255 - c)) / 255)
                            px[2] = UInt8((Int(color.b) * c + Int(px[2]) * (255 - c)) / 255)
                            px[3] = 255
                        }
                    }
                }
            }
            pen += g.advance
        }
        return pen - x
    }
}
