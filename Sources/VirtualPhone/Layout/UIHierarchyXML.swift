import Foundation

extension VirtualPhone {
    /// The window hierarchy as `uiautomator dump` writes it.
    public func uiHierarchyXML() -> String {
        let frame = layout()
        var out = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"\(rotation)\">"
        func emit(_ node: UINode, index: Int) {
            let b = node.bounds
            out += "<node index=\"\(index)\" text=\"\(Self.xmlEscape(node.text))\" resource-id=\"\(Self.xmlEscape(node.resourceId))\" class=\"\(node.className)\" package=\"\(node.package)\" content-desc=\"\(Self.xmlEscape(node.contentDesc))\" checkable=\"\(node.checkable)\" checked=\"\(node.checked)\" clickable=\"\(node.clickable)\" enabled=\"true\" focusable=\"\(node.focusable)\" focused=\"\(node.focused)\" scrollable=\"\(node.scrollable)\" long-clickable=\"\(node.longClickable)\" password=\"\(node.password)\" selected=\"\(node.selected)\" bounds=\"[\(b.x0),\(b.y0)][\(b.x1),\(b.y1)]\""
            if node.children.isEmpty {
                out += " />"
            } else {
                out += ">"
                for (i, child) in node.children.enumerated() { emit(child, index: i) }
                out += "</node>"
            }
        }
        emit(frame.root, index: 0)
        out += "</hierarchy>"
        return out
    }

    static func xmlEscape(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            default:
                // Characters XML 1.0 cannot hold become "." as uiautomator writes them.
                let v = scalar.value
                if v < 0x20 && v != 0x9 { out += "." } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
