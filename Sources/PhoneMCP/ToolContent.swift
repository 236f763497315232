import MCP

extension Tool.Content {
    /// Text content, without annotations.
    static func plain(_ text: String) -> Self { .text(text: text, annotations: nil, _meta: nil) }

    /// Image content (base64 data), without annotations.
    static func picture(data: String, mimeType: String) -> Self {
        .image(data: data, mimeType: mimeType, annotations: nil, _meta: nil)
    }
}
