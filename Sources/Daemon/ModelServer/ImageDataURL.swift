import Foundation
import Imaging

/// An `image_url` of a chat request: only `data:` URIs (PNG or JPEG, base64) are taken; this
/// server fetches nothing from the network.
enum ImageDataURL {
    static func decode(_ url: String, param: String) throws(OpenAIError) -> Image {
        guard url.hasPrefix("data:") else {
            let shown = url.count > 80 ? String(url.prefix(80)) + "…" : url
            throw .invalid(
                "\(param): only data URIs are accepted (data:image/png;base64,… or data:image/jpeg;base64,…); this server does not fetch \(shown)",
                param: param)
        }
        guard let comma = url.firstIndex(of: ",") else {
            throw .invalid("\(param): a data URI needs a comma before its data", param: param)
        }
        let header = url[url.index(url.startIndex, offsetBy: 5)..<comma].lowercased()
        let fields = header.split(separator: ";").map(String.init)
        let mediaType = fields.first ?? ""
        guard ["image/png", "image/jpeg", "image/jpg"].contains(mediaType) else {
            throw .invalid("\(param): the image must be image/png or image/jpeg, not \"\(mediaType)\"", param: param)
        }
        guard fields.contains("base64") else {
            throw .invalid("\(param): the data URI must be base64 (data:\(mediaType);base64,…)", param: param)
        }
        guard let data = Data(base64Encoded: String(url[url.index(after: comma)...]), options: .ignoreUnknownCharacters) else {
            throw .invalid("\(param): the data URI's base64 does not decode", param: param)
        }
        do { return try Image(encodedData: data) } catch {
            throw .invalid("\(param): the image does not decode as PNG or JPEG: \(error)", param: param)
        }
    }
}
