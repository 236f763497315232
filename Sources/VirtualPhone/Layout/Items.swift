import Foundation
import Imaging
import Basics

/// List items, switches and chat bubbles inside widgets.
extension VirtualPhone {
    func switchRect(_ row: Rect) -> Rect {
        Rect(x0: row.x1 - dp(16) - dp(52), y0: row.midY - dp(16), x1: row.x1 - dp(16), y1: row.midY + dp(16))
    }

    func drawSwitch(_ r: Rect, on: Bool, ops: inout [DrawOp]) {
        let t = theme
        ops.append(.rect(r, on ? t.accent : t.divider, radius: r.height / 2))
        let knob =
            on
            ? Rect(x0: r.x1 - dp(28), y0: r.y0 + dp(4), x1: r.x1 - dp(4), y1: r.y1 - dp(4))
            : Rect(x0: r.x0 + dp(4), y0: r.y0 + dp(4), x1: r.x0 + dp(28), y1: r.y1 - dp(4))
        ops.append(.rect(knob, on ? t.onAccent : t.secondary, radius: knob.height / 2))
    }

    func layoutItem(_ template: ItemTemplate, ctx: JSON, pkg: String, rid: String, y: inout Int, ops: inout [DrawOp], nodes: inout [UINode]) {
        let W = screenWidth
        let t = theme
        let title = Template.render(template.title, ctx)
        let sub = template.subtitle.map { Template.render($0, ctx) }.flatMap { $0.isEmpty ? nil : $0 }
        let trailing = template.trailing.map { Template.render($0, ctx) }
        let h = dp(sub == nil ? 60 : 76)
        let row = Rect(x0: 0, y0: y, x1: W, y1: y + h)
        var x = dp(16)
        var node = UINode(
            className: "android.view.ViewGroup", package: pkg, bounds: row, resourceId: rid,
            clickable: template.actions != nil || template.toggle != nil, longClickable: template.longPress != nil,
            focusable: true)
        if template.avatar == true {
            let a = Rect(x0: x, y0: row.midY - dp(20), x1: x + dp(40), y1: row.midY + dp(20))
            let palette = ["#1A73E8", "#E8710A", "#188038", "#A142F4", "#D93025", "#12B5CB", "#F9AB00"]
            let colour = palette[abs(title.unicodeScalars.reduce(0) { $0 &+ Int($1.value) }) % palette.count]
            ops.append(.rect(a, Color(hex: colour), radius: dp(20)))
            let letter = String(title.prefix(1)).uppercased()
            let lw = text.width(letter, size: dp(18), bold: true)
            ops.append(.text(letter, x: a.midX - lw / 2, baseline: a.midY + dp(7), size: dp(18), color: .white, bold: true))
            x += dp(56)
        }
        var right = W - dp(16)
        if let toggle = template.toggle {
            let path = Template.render(toggle, ctx)
            let on = states[pkg]?.value(at: path)?.truthy ?? false
            let sw = switchRect(row)
            drawSwitch(sw, on: on, ops: &ops)
            node.children.append(
                UINode(
                    className: "android.widget.Switch", package: pkg, bounds: sw, text: on ? "ON" : "OFF",
                    clickable: true, checkable: true, checked: on, focusable: true, tap: .toggle(path, package: pkg)))
            right = sw.x0 - dp(12)
            if template.actions == nil { node.tap = .toggle(path, package: pkg) }
        }
        if let trailing, !trailing.isEmpty {
            let tw = text.width(trailing, size: dp(14))
            ops.append(.text(trailing, x: right - tw, baseline: row.y0 + dp(30), size: dp(14), color: t.secondary, bold: false))
            right -= tw + dp(12)
        }
        let titleBase = sub == nil ? row.midY + dp(6) : row.y0 + dp(31)
        let shownTitle = text.fit(title, size: dp(17), maxWidth: right - x)
        ops.append(.text(shownTitle, x: x, baseline: titleBase, size: dp(17), color: t.text, bold: false))
        node.children.append(
            UINode(
                className: "android.widget.TextView", package: pkg,
                bounds: Rect(x0: x, y0: titleBase - dp(17), x1: x + max(1, text.width(shownTitle, size: dp(17))), y1: titleBase + dp(5)),
                text: title))
        if let sub {
            let shown = text.fit(sub.replacingOccurrences(of: "\n", with: " "), size: dp(14), maxWidth: right - x)
            ops.append(.text(shown, x: x, baseline: row.y0 + dp(55), size: dp(14), color: t.secondary, bold: false))
            node.children.append(
                UINode(
                    className: "android.widget.TextView", package: pkg,
                    bounds: Rect(x0: x, y0: row.y0 + dp(41), x1: x + max(1, text.width(shown, size: dp(14))), y1: row.y0 + dp(60)),
                    text: sub))
        }
        if let trailing, !trailing.isEmpty {
            node.children.append(
                UINode(
                    className: "android.widget.TextView", package: pkg,
                    bounds: Rect(x0: right + dp(12), y0: row.y0 + dp(14), x1: W - dp(16), y1: row.y0 + dp(36)), text: trailing))
        }
        ops.append(.rect(Rect(x0: x, y0: row.y1 - max(1, dp(0.5)), x1: W, y1: row.y1), t.divider, radius: 0))
        if let actions = template.actions { node.tap = .actions(actions, ctx, package: pkg) }
        if let long = template.longPress { node.longPress = .actions(long, ctx, package: pkg) }
        nodes.append(node)
        y = row.y1
    }

    func layoutBubble(_ body: String, outgoing: Bool, caption: String?, pkg: String, y: inout Int, ops: inout [DrawOp], nodes: inout [UINode]) {
        let W = screenWidth
        let t = theme
        let size = dp(16)
        let maxW = W * 3 / 4
        let lines = text.wrap(body, size: size, maxWidth: maxW - dp(28))
        let lineH = dp(22)
        let w = (lines.map { text.width($0, size: size) }.max() ?? 0) + dp(28)
        let h = lines.count * lineH + dp(20)
        let x0 = outgoing ? W - dp(16) - w : dp(16)
        let r = Rect(x0: x0, y0: y + dp(6), x1: x0 + w, y1: y + dp(6) + h)
        ops.append(.rect(r, outgoing ? t.accent : t.surface, radius: dp(18)))
        for (i, line) in lines.enumerated() {
            ops.append(.text(line, x: r.x0 + dp(14), baseline: r.y0 + dp(26) + i * lineH, size: size, color: outgoing ? t.onAccent : t.text, bold: false))
        }
        nodes.append(UINode(className: "android.widget.TextView", package: pkg, bounds: r, text: body, resourceId: "\(pkg):id/message_text"))
        y = r.y1
        if let caption, !caption.isEmpty {
            let cw = text.width(caption, size: dp(12))
            ops.append(.text(caption, x: outgoing ? r.x1 - cw : r.x0, baseline: y + dp(16), size: dp(12), color: t.secondary, bold: false))
            y += dp(20)
        }
        y += dp(4)
    }

    static let keyboardRows = ["qwertyuiop", "asdfghjkl", "⇧zxcvbnm⌫", " "]
}
