import Foundation

/// Text made safe for HTML element content and attribute values.
enum HTMLText {
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A `data:` URI holding `data`, typed by its first bytes (PNG or JPEG).
    static func dataURI(_ data: Data) -> String {
        let mime = data.starts(with: [0xFF, 0xD8]) ? "image/jpeg" : "image/png"
        return "data:\(mime);base64,\(data.base64EncodedString())"
    }

    static func seconds(_ v: Double) -> String { String(format: "%.2f s", v) }
}
