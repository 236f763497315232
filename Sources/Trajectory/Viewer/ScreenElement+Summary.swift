extension ScreenElement {
    /// One line for a reader: `"Contacts" TextView #search [188,869–352,1061]`, the parts that
    /// are known.
    public var summary: String {
        var parts: [String] = []
        if !text.isEmpty {
            parts.append("\"\(text)\"")
        } else if !contentDescription.isEmpty {
            parts.append("“\(contentDescription)” (description)")
        }
        if let short = className.split(separator: ".").last { parts.append(String(short)) }
        if let id = resourceId.split(separator: "/").last, !resourceId.isEmpty { parts.append("#\(id)") }
        if bounds.count == 4 { parts.append("[\(bounds[0]),\(bounds[1])–\(bounds[2]),\(bounds[3])]") }
        return parts.joined(separator: " ")
    }
}
