import Foundation

/// A rectangle in screen pixels: `left, top` inclusive, `right, bottom` exclusive.
public struct Bounds: Sendable, Hashable, Codable, CustomStringConvertible {
    public var left: Int, top: Int, right: Int, bottom: Int

    public init(left: Int, top: Int, right: Int, bottom: Int) {
        self.left = left
        self.top = top
        self.right = right
        self.bottom = bottom
    }

    public var width: Int { right - left }
    public var height: Int { bottom - top }
    public var center: (x: Int, y: Int) { ((left + right) / 2, (top + bottom) / 2) }
    public var description: String { "[\(left),\(top)][\(right),\(bottom)]" }

    /// `[x1,y1][x2,y2]`.
    public init?(parsing text: String) {
        let numbers = text.split(whereSeparator: { !$0.isNumber && $0 != "-" }).compactMap { Int($0) }
        guard numbers.count == 4 else { return nil }
        self.init(left: numbers[0], top: numbers[1], right: numbers[2], bottom: numbers[3])
    }
}

/// One node of a `uiautomator dump`.
public struct UINode: Sendable, Equatable, Codable {
    public var index: Int
    public var text: String
    public var resourceId: String
    public var className: String
    public var package: String
    public var contentDescription: String
    public var bounds: Bounds
    public var checkable = false, checked = false, clickable = false, enabled = true, focusable = false, focused = false
    public var scrollable = false, longClickable = false, password = false, selected = false
    public var children: [UINode] = []

    /// This node and all below it, depth first.
    public var allNodes: [UINode] {
        var out = [self]
        for child in children { out += child.allNodes }
        return out
    }

    /// The first node (depth first) whose text, content description or resource id (or its
    /// part after `:id/`) equals `label`.
    public func find(_ label: String) -> UINode? {
        allNodes.first { $0.text == label || $0.contentDescription == label || $0.resourceId == label || $0.resourceId.hasSuffix(":id/" + label) }
    }
}

/// A parsed `uiautomator dump`.
public struct UIHierarchy: Sendable, Equatable, Codable {
    public var rotation: Int
    public var nodes: [UINode]

    public var allNodes: [UINode] { nodes.flatMap(\.allNodes) }
    public func find(_ label: String) -> UINode? {
        for node in nodes { if let hit = node.find(label) { return hit } }
        return nil
    }

    /// Parses the XML `uiautomator dump` writes. Text outside tags (the "dumped to" line) is ignored.
    public init(xml: String) throws(PhoneError) {
        var parser = XMLScanner(Array(xml.utf8))
        var stack: [UINode] = []
        var roots: [UINode] = []
        var rotation = 0
        var sawHierarchy = false
        while let tag = try parser.nextTag() {
            switch tag {
            case .open(let name, let attributes, let selfClosing):
                if name == "hierarchy" {
                    sawHierarchy = true
                    rotation = Int(attributes["rotation"] ?? "") ?? 0
                    continue
                }
                guard name == "node" else { continue }
                let node = Self.node(attributes)
                if selfClosing { Self.attach(node, to: &stack, roots: &roots) } else { stack.append(node) }
            case .close(let name):
                guard name == "node" else { continue }
                guard let node = stack.popLast() else { throw .uiDumpFailed("</node> without <node> in the dump") }
                Self.attach(node, to: &stack, roots: &roots)
            }
        }
        guard sawHierarchy else { throw .uiDumpFailed("no <hierarchy> element in: \(xml.prefix(200))") }
        guard stack.isEmpty else { throw .uiDumpFailed("the dump ended inside a <node> (truncated?)") }
        self.rotation = rotation
        self.nodes = roots
    }

    public init(rotation: Int, nodes: [UINode]) {
        self.rotation = rotation
        self.nodes = nodes
    }

    private static func attach(_ node: UINode, to stack: inout [UINode], roots: inout [UINode]) {
        if stack.isEmpty { roots.append(node) } else { stack[stack.count - 1].children.append(node) }
    }

    private static func node(_ a: [String: String]) -> UINode {
        func flag(_ key: String, _ fallback: Bool = false) -> Bool { a[key].map { $0 == "true" } ?? fallback }
        var node = UINode(
            index: Int(a["index"] ?? "") ?? 0, text: a["text"] ?? "", resourceId: a["resource-id"] ?? "",
            className: a["class"] ?? "", package: a["package"] ?? "", contentDescription: a["content-desc"] ?? "",
            bounds: Bounds(parsing: a["bounds"] ?? "") ?? Bounds(left: 0, top: 0, right: 0, bottom: 0))
        node.checkable = flag("checkable")
        node.checked = flag("checked")
        node.clickable = flag("clickable")
        node.enabled = flag("enabled", true)
        node.focusable = flag("focusable")
        node.focused = flag("focused")
        node.scrollable = flag("scrollable")
        node.longClickable = flag("long-clickable")
        node.password = flag("password")
        node.selected = flag("selected")
        return node
    }
}

/// Just enough XML for uiautomator: elements, attributes in quotes, entities; declarations and
/// comments skipped.
struct XMLScanner {
    enum Tag { case open(String, [String: String], selfClosing: Bool), close(String) }

    let bytes: [UInt8]
    var i = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func nextTag() throws(PhoneError) -> Tag? {
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "<") else { i += 1; continue }
            i += 1
            guard i < bytes.count else { break }
            if bytes[i] == UInt8(ascii: "?") || bytes[i] == UInt8(ascii: "!") {
                // <?xml …?>, <!-- … -->, <!DOCTYPE …>
                let closing: [UInt8] = bytes[i] == UInt8(ascii: "!") && hasPrefix("!--") ? Array("-->".utf8) : [UInt8(ascii: ">")]
                while i < bytes.count, !hasPrefix(closing) { i += 1 }
                i += closing.count
                continue
            }
            if bytes[i] == UInt8(ascii: "/") {
                i += 1
                let name = readName()
                skipUntil(UInt8(ascii: ">"))
                i += 1
                return .close(name)
            }
            let name = readName()
            guard !name.isEmpty else { throw .uiDumpFailed("malformed tag at byte \(i)") }
            var attributes: [String: String] = [:]
            while true {
                skipSpace()
                guard i < bytes.count else { throw .uiDumpFailed("the dump ended inside <\(name)> (truncated?)") }
                if bytes[i] == UInt8(ascii: ">") { i += 1; return .open(name, attributes, selfClosing: false) }
                if bytes[i] == UInt8(ascii: "/") {
                    i += 1
                    skipUntil(UInt8(ascii: ">"))
                    i += 1
                    return .open(name, attributes, selfClosing: true)
                }
                let key = readName()
                guard !key.isEmpty else { throw .uiDumpFailed("malformed attribute in <\(name)> at byte \(i)") }
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { throw .uiDumpFailed("attribute \(key) has no value") }
                i += 1
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else {
                    throw .uiDumpFailed("attribute \(key) is not quoted")
                }
                let quote = bytes[i]
                i += 1
                let start = i
                while i < bytes.count, bytes[i] != quote { i += 1 }
                guard i < bytes.count else { throw .uiDumpFailed("the dump ended inside an attribute (truncated?)") }
                attributes[key] = Self.decodeEntities(String(decoding: bytes[start..<i], as: UTF8.self))
                i += 1
            }
        }
        return nil
    }

    func hasPrefix(_ s: String) -> Bool { hasPrefix(Array(s.utf8)) }
    func hasPrefix(_ p: [UInt8]) -> Bool {
        i + p.count <= bytes.count && bytes[i..<(i + p.count)].elementsEqual(p)
    }

    mutating func readName() -> String {
        let start = i
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: " ") || c == UInt8(ascii: ">") || c == UInt8(ascii: "/") || c == UInt8(ascii: "=") || c == 9 || c == 10 || c == 13 { break }
            i += 1
        }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 10 || bytes[i] == 13 { i += 1 }
    }

    mutating func skipUntil(_ c: UInt8) {
        while i < bytes.count, bytes[i] != c { i += 1 }
    }

    static func decodeEntities(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = ""
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";"), rest.distance(from: amp, to: semi) <= 10 else {
                out += "&"
                rest = rest[rest.index(after: amp)...]
                continue
            }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                var scalar: Unicode.Scalar?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") { scalar = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init) } else if entity.hasPrefix("#") { scalar = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init) }
                if let scalar { out.unicodeScalars.append(scalar) } else { out += "&" + entity + ";" }
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}
