import Foundation
import Basics

/// An intent as the virtual phone receives it: parsed from `am start`/`am broadcast` options or
/// built by an app's `intent` action, with extras as JSON (what app state and templates hold).
/// Named apart from `AndroidPhone.Intent`, the intent a host builds to send to a phone, which
/// carries typed extras and renders `am` arguments; the two meet only as `am` command lines.
public struct ReceivedIntent: Sendable, Equatable {
    public var action: String?
    public var data: String?
    public var type: String?
    public var component: String?
    public var package: String?
    public var categories: [String] = []
    public var extras: [String: JSON] = [:]

    public init(
        action: String? = nil, data: String? = nil, type: String? = nil, component: String? = nil,
        package: String? = nil, categories: [String] = [], extras: [String: JSON] = [:]
    ) {
        self.action = action
        self.data = data
        self.type = type
        self.component = component
        self.package = package
        self.categories = categories
        self.extras = extras
    }

    /// As `am` prints it: `Intent { act=… dat=… typ=… cmp=… (has extras) }`.
    public var description: String {
        var parts: [String] = []
        if let action { parts.append("act=\(action)") }
        if !categories.isEmpty { parts.append("cat=[\(categories.joined(separator: ","))]") }
        if let data { parts.append("dat=\(data)") }
        if let type { parts.append("typ=\(type)") }
        if let package, component == nil { parts.append("pkg=\(package)") }
        if let component { parts.append("cmp=\(component)") }
        if !extras.isEmpty { parts.append("(has extras)") }
        return "Intent { \(parts.joined(separator: " ")) }"
    }
}
