import Foundation
import Imaging
import Basics

extension VirtualPhone {
    func items(for widget: Widget, ctx: JSON) -> [JSON] {
        var items = widget.source.flatMap { ctx.value(at: $0)?.array } ?? []
        if let filter = widget.filter {
            if let c = filter.contains.map({ Template.render($0, ctx) }), !c.isEmpty {
                let needle = c.lowercased()
                items = items.filter { item in filter.fields.contains { (item.value(at: $0)?.text ?? "").lowercased().contains(needle) } }
            }
            if let e = filter.equals.map({ Template.render($0, ctx) }) {
                items = items.filter { item in filter.fields.contains { item.value(at: $0)?.text == e } }
            }
        }
        if let key = widget.sort {
            items.sort { a, b in
                let x = a.value(at: key), y = b.value(at: key)
                if let p = x?.numberValue, let q = y?.numberValue, x?.string == nil || y?.string == nil { return p < q }
                return (x?.text ?? "").localizedCaseInsensitiveCompare(y?.text ?? "") == .orderedAscending
            }
            if widget.descending == true { items.reverse() }
        }
        if let key = widget.distinct {
            var seen = Set<String>()
            items = items.filter { seen.insert(TaskCheck.normalized($0.value(at: key)?.text ?? "")).inserted }
        }
        return items
    }

    func itemContext(_ item: JSON, _ ctx: JSON) -> JSON {
        guard case .object(var base) = ctx else { return ctx }
        for (k, v) in item.object ?? [:] { base[k] = v }
        base["item"] = item
        return .object(base)
    }

    func layoutWidget(
        _ w: Widget, app: AppDefinition, entry: ActivityEntry, ctx: JSON, y: inout Int,
        ops: inout [DrawOp], nodes: inout [UINode]
    ) {
        if let cond = w.when, !(Template.evaluate(cond, ctx)?.truthy ?? false) { return }
        let W = screenWidth
        let pad = dp(16)
        let t = theme
        let pkg = app.package
        let rid = w.id.map { "\(pkg):id/\($0)" } ?? ""
        switch w.type {
        case .spacer:
            y += dp(w.height ?? 16)
        case .divider:
            y += dp(8)
            ops.append(.rect(Rect(x0: pad, y0: y, x1: W - pad, y1: y + max(1, dp(1))), t.divider, radius: 0))
            y += dp(8)
        case .title, .text, .caption:
            let size = w.type == .title ? dp(24) : w.type == .caption ? dp(14) : dp(16)
            let lineHeight = Int(Double(size) * 1.45)
            let bold = w.type == .title
            let color = w.color.map(Color.init(hex:)) ?? (w.type == .caption ? t.secondary : t.text)
            let content = Template.render(w.text ?? "", ctx)
            let lines = text.wrap(content, size: size, maxWidth: W - 2 * pad, bold: bold)
            let top = y + dp(4)
            for (i, line) in lines.enumerated() {
                ops.append(.text(line, x: pad, baseline: top + i * lineHeight + Int(Double(size) * 1.1), size: size, color: color, bold: bold))
            }
            let height = lines.count * lineHeight + dp(8)
            let widest = lines.map { text.width($0, size: size, bold: bold) }.max() ?? 0
            nodes.append(
                UINode(
                    className: "android.widget.TextView", package: pkg, bounds: Rect(x0: pad, y0: top, x1: pad + max(widest, 1), y1: top + lines.count * lineHeight),
                    text: content, resourceId: rid, clickable: w.actions != nil,
                    tap: w.actions.map { .actions($0, ctx, package: pkg) }))
            y += height
        case .button:
            let r = Rect(x0: pad, y0: y + dp(8), x1: W - pad, y1: y + dp(56))
            let label = Template.render(w.text ?? "", ctx)
            let style = w.style ?? "primary"
            let fill = style == "danger" ? t.danger : style == "secondary" ? t.background : t.accent
            let fg = style == "secondary" ? t.accent : t.onAccent
            ops.append(.rect(r, fill, radius: r.height / 2))
            if style == "secondary" { ops.append(.ring(r, t.divider, thickness: max(1, dp(1)), radius: r.height / 2)) }
            let size = dp(16)
            let tw = text.width(label, size: size, bold: true)
            ops.append(.text(label, x: r.midX - tw / 2, baseline: r.midY + dp(6), size: size, color: fg, bold: true))
            nodes.append(
                UINode(
                    className: "android.widget.Button", package: pkg, bounds: r, text: label, resourceId: rid,
                    clickable: true, focusable: true, tap: .actions(w.actions ?? [], ctx, package: pkg)))
            y = r.y1 + dp(8)
        case .toggle:
            let path = Template.render(w.bind ?? "", ctx)
            let on = states[pkg]?.value(at: path)?.truthy ?? false
            let label = Template.render(w.text ?? "", ctx)
            let sub = w.subtitle.map { Template.render($0, ctx) }
            let h = dp(sub == nil ? 64 : 76)
            let row = Rect(x0: 0, y0: y, x1: W, y1: y + h)
            var node = UINode(
                className: "android.widget.LinearLayout", package: pkg, bounds: row, resourceId: rid, clickable: true, focusable: true,
                tap: .toggle(path, package: pkg))
            let titleBase = sub == nil ? row.midY + dp(6) : row.y0 + dp(32)
            ops.append(.text(text.fit(label, size: dp(18), maxWidth: W - dp(110)), x: pad, baseline: titleBase, size: dp(18), color: t.text, bold: false))
            node.children.append(
                UINode(
                    className: "android.widget.TextView", package: pkg,
                    bounds: Rect(x0: pad, y0: titleBase - dp(18), x1: pad + text.width(label, size: dp(18)), y1: titleBase + dp(5)),
                    text: label, resourceId: "android:id/title"))
            if let sub {
                ops.append(.text(text.fit(sub, size: dp(14), maxWidth: W - dp(110)), x: pad, baseline: row.y0 + dp(56), size: dp(14), color: t.secondary, bold: false))
                node.children.append(
                    UINode(
                        className: "android.widget.TextView", package: pkg,
                        bounds: Rect(x0: pad, y0: row.y0 + dp(42), x1: pad + text.width(sub, size: dp(14)), y1: row.y0 + dp(60)),
                        text: sub, resourceId: "android:id/summary"))
            }
            let sw = switchRect(row)
            drawSwitch(sw, on: on, ops: &ops)
            node.children.append(
                UINode(
                    className: "android.widget.Switch", package: pkg, bounds: sw, text: on ? "ON" : "OFF",
                    resourceId: "android:id/switch_widget", checkable: true, checked: on, focusable: true))
            nodes.append(node)
            y = row.y1
        case .slider:
            let path = Template.render(w.bind ?? "", ctx)
            let lo = w.min ?? 0, hi = w.max ?? 100
            let value = states[pkg]?.value(at: path)?.numberValue ?? lo
            let label = Template.render(w.text ?? "", ctx)
            ops.append(.text(label, x: pad, baseline: y + dp(28), size: dp(18), color: t.text, bold: false))
            let valueText = JSON.format(value.rounded())
            let vw = text.width(valueText, size: dp(16))
            ops.append(.text(valueText, x: W - pad - vw, baseline: y + dp(28), size: dp(16), color: t.secondary, bold: false))
            let track = Rect(x0: pad + dp(8), y0: y + dp(52), x1: W - pad - dp(8), y1: y + dp(56))
            let fraction = hi > lo ? min(max((value - lo) / (hi - lo), 0), 1) : 0
            let knobX = track.x0 + Int(Double(track.width) * fraction)
            ops.append(.rect(track, t.divider, radius: dp(2)))
            ops.append(.rect(Rect(x0: track.x0, y0: track.y0, x1: knobX, y1: track.y1), t.accent, radius: dp(2)))
            ops.append(.rect(Rect(x0: knobX - dp(10), y0: track.midY - dp(10), x1: knobX + dp(10), y1: track.midY + dp(10)), t.accent, radius: dp(10)))
            let bounds = Rect(x0: pad, y0: y + dp(40), x1: W - pad, y1: y + dp(68))
            nodes.append(UINode(className: "android.widget.TextView", package: pkg, bounds: Rect(x0: pad, y0: y + dp(10), x1: pad + text.width(label, size: dp(18)), y1: y + dp(34)), text: label))
            nodes.append(
                UINode(
                    className: "android.widget.SeekBar", package: pkg, bounds: bounds, text: valueText, resourceId: rid,
                    clickable: true, focusable: true, scrollable: false,
                    tap: .slider(path, min: lo, max: hi, track: Rect(x0: track.x0, y0: bounds.y0, x1: track.x1, y1: bounds.y1), package: pkg)))
            y += dp(76)
        case .field:
            let field = w.field ?? w.id ?? "text"
            let value = entry.form[field] ?? ""
            let focused = entry.focus == field
            let h = dp(w.multiline == true ? 132 : 56)
            let r = Rect(x0: pad, y0: y + dp(8), x1: W - pad, y1: y + dp(8) + h)
            ops.append(.rect(r, t.surface, radius: dp(8)))
            ops.append(.ring(r, focused ? t.accent : t.divider, thickness: focused ? dp(2) : max(1, dp(1)), radius: dp(8)))
            let hint = Template.render(w.hint ?? "", ctx)
            let size = dp(17)
            let shown = w.password == true ? String(repeating: "•", count: value.count) : value
            var caretX = r.x0 + dp(14)
            var caretBase = r.y0 + dp(35)
            if shown.isEmpty {
                ops.append(.text(text.fit(hint, size: size, maxWidth: r.width - dp(28)), x: r.x0 + dp(14), baseline: r.y0 + dp(35), size: size, color: t.secondary, bold: false))
            } else if w.multiline == true {
                let lines = text.wrap(shown, size: size, maxWidth: r.width - dp(28)).suffix(5)
                for (i, line) in lines.enumerated() {
                    ops.append(.text(line, x: r.x0 + dp(14), baseline: r.y0 + dp(30) + i * dp(24), size: size, color: t.text, bold: false))
                }
                caretX = r.x0 + dp(14) + text.width(lines.last ?? "", size: size)
                caretBase = r.y0 + dp(30) + (lines.count - 1) * dp(24)
            } else {
                var visible = shown
                while text.width(visible, size: size) > r.width - dp(30), !visible.isEmpty { visible.removeFirst() }
                ops.append(.text(visible, x: r.x0 + dp(14), baseline: r.y0 + dp(35), size: size, color: t.text, bold: false))
                caretX = r.x0 + dp(14) + text.width(visible, size: size)
            }
            if focused {
                ops.append(.rect(Rect(x0: caretX + 1, y0: caretBase - dp(18), x1: caretX + 1 + max(2, dp(1.5)), y1: caretBase + dp(4)), t.accent, radius: 0))
            }
            nodes.append(
                UINode(
                    className: "android.widget.EditText", package: pkg, bounds: r, text: value.isEmpty ? hint : shown,
                    resourceId: rid.isEmpty ? "\(pkg):id/\(field)" : rid, clickable: true, longClickable: true,
                    focusable: true, focused: focused, password: w.password == true, tap: .focus(field)))
            y = r.y1 + dp(8)
        case .row:
            let item = ItemTemplate(
                id: w.id, title: w.text ?? "", subtitle: w.subtitle, trailing: w.trailing, toggle: w.bind,
                avatar: nil, outgoing: nil, actions: w.actions, longPress: nil)
            layoutItem(item, ctx: ctx, pkg: pkg, rid: rid, y: &y, ops: &ops, nodes: &nodes)
        case .list:
            let list = items(for: w, ctx: ctx)
            let top = y
            var children: [UINode] = []
            if list.isEmpty, let empty = w.empty {
                ops.append(.text(Template.render(empty, ctx), x: pad, baseline: y + dp(40), size: dp(16), color: t.secondary, bold: false))
                y += dp(64)
            }
            for (i, item) in list.enumerated() {
                guard let template = w.item else { break }
                let ictx = itemContext(item, ctx)
                let itemId = template.id.map { Template.render($0, ictx) } ?? String(i)
                if let outgoing = template.outgoing {
                    layoutBubble(
                        Template.render(template.title, ictx), outgoing: Template.evaluate(outgoing, ictx)?.truthy ?? false,
                        caption: template.subtitle.map { Template.render($0, ictx) }, pkg: pkg, y: &y, ops: &ops, nodes: &children)
                } else {
                    layoutItem(template, ctx: ictx, pkg: pkg, rid: "\(pkg):id/\(w.id ?? "item")_\(itemId)", y: &y, ops: &ops, nodes: &children)
                }
            }
            nodes.append(
                UINode(
                    className: "androidx.recyclerview.widget.RecyclerView", package: pkg,
                    bounds: Rect(x0: 0, y0: top, x1: W, y1: max(y, top + 1)), resourceId: rid, focusable: true, children: children))
        case .apps:
            let packages: [String]
            if w.apps == "home" {
                packages = (states[pkg]?["home"]?.array?.compactMap(\.string) ?? []).filter { profile.apps.contains($0) }
            } else {
                packages = profile.apps.filter { $0 != Self.launcherPackage }
                    .sorted { (catalog.apps[$0]?.label ?? $0) < (catalog.apps[$1]?.label ?? $1) }
            }
            let columns = 4
            let cellW = W / columns, cellH = dp(104)
            for (i, p) in packages.enumerated() {
                guard let target = catalog.apps[p] else { continue }
                let col = i % columns, row = i / columns
                let cell = Rect(x0: col * cellW, y0: y + row * cellH, x1: (col + 1) * cellW, y1: y + (row + 1) * cellH)
                let icon = Rect(x0: cell.midX - dp(28), y0: cell.y0 + dp(8), x1: cell.midX + dp(28), y1: cell.y0 + dp(64))
                ops.append(.rect(icon, Color(hex: target.icon.color), radius: dp(28)))
                let gsize = dp(26)
                let gw = text.width(target.icon.glyph, size: gsize, bold: true)
                ops.append(.text(target.icon.glyph, x: icon.midX - gw / 2, baseline: icon.midY + dp(9), size: gsize, color: .white, bold: true))
                let labelColor = (catalog.apps[pkg]?.screen(entry.screen)?.background != nil) ? Color.white : t.text
                let label = text.fit(target.label, size: dp(13), maxWidth: cellW - dp(8))
                let lw = text.width(label, size: dp(13))
                ops.append(.text(label, x: cell.midX - lw / 2, baseline: cell.y0 + dp(86), size: dp(13), color: labelColor, bold: false))
                nodes.append(
                    UINode(
                        className: "android.widget.TextView", package: pkg,
                        bounds: Rect(x0: cell.x0 + dp(4), y0: cell.y0 + dp(4), x1: cell.x1 - dp(4), y1: cell.y1 - dp(4)),
                        text: target.label, contentDesc: target.label, clickable: true, longClickable: true, focusable: true,
                        tap: .launch(p)))
            }
            y += ((packages.count + columns - 1) / columns) * cellH
        case .image:
            let h = dp(w.height ?? 160)
            let r = Rect(x0: pad, y0: y + dp(8), x1: W - pad, y1: y + dp(8) + h)
            ops.append(.rect(r, Color(hex: Template.render(w.color ?? "#B0BEC5", ctx)), radius: dp(12)))
            let label = Template.render(w.text ?? "", ctx)
            let size = dp(44)
            let lw = text.width(label, size: size, bold: true)
            ops.append(.text(label, x: r.midX - lw / 2, baseline: r.midY + dp(16), size: size, color: .white, bold: true))
            nodes.append(UINode(className: "android.widget.ImageView", package: pkg, bounds: r, resourceId: rid, contentDesc: Template.render(w.hint ?? label, ctx)))
            y = r.y1 + dp(8)
        case .chips:
            var x = pad
            var rowY = y + dp(8)
            for chip in w.chips ?? [] {
                let label = Template.render(chip.text, ctx)
                let cw = text.width(label, size: dp(14)) + dp(32)
                if x + cw > W - pad { x = pad; rowY += dp(44) }
                let r = Rect(x0: x, y0: rowY, x1: x + cw, y1: rowY + dp(34))
                ops.append(.rect(r, t.surface, radius: dp(17)))
                ops.append(.ring(r, t.divider, thickness: max(1, dp(1)), radius: dp(17)))
                ops.append(.text(label, x: r.x0 + dp(16), baseline: r.midY + dp(5), size: dp(14), color: t.text, bold: false))
                nodes.append(
                    UINode(
                        className: "android.widget.Button", package: pkg, bounds: r, text: label, clickable: true, focusable: true,
                        tap: .actions(chip.actions, ctx, package: pkg)))
                x = r.x1 + dp(8)
            }
            y = rowY + dp(44)
        }
    }
}
