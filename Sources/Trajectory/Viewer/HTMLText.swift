import Foundation

/// Small pieces of an episode's HTML page (text is escaped with Basics' `Markup.escape`).
enum HTMLText {
    /// A `data:` URI holding `data`, typed by its first bytes (PNG or JPEG).
    static func dataURI(_ data: Data) -> String {
        let mime = data.starts(with: [0xFF, 0xD8]) ? "image/jpeg" : "image/png"
        return "data:\(mime);base64,\(data.base64EncodedString())"
    }

    static func seconds(_ v: Double) -> String { String(format: "%.2f s", v) }
}
