import Foundation
import Imaging

/// The on-screen keyboard.
extension VirtualPhone {
    func layoutKeyboard(_ kb: Rect, ops: inout [DrawOp], keys: inout [(Rect, String)]) {
        let dark = darkMode
        ops.append(.rect(kb, dark ? Color(r: 38, g: 39, b: 42) : Color(r: 232, g: 234, b: 237), radius: 0))
        let W = screenWidth
        let rowH = (kb.height - dp(8)) / 4
        let keyW = W / 10
        let keyColor = dark ? Color(r: 70, g: 72, b: 76) : .white
        let fg = dark ? Color.white : Color(r: 32, g: 33, b: 36)
        for (r, row) in Self.keyboardRows.enumerated() {
            let y0 = kb.y0 + dp(4) + r * rowH
            var specs: [(String, Int)] = []
            if r == 3 {
                specs = [("?123", keyW * 3 / 2), (",", keyW), (" ", keyW * 4), (".", keyW), ("⏎", keyW * 3 / 2 + W - keyW * 10)]
            } else {
                specs = row.map { c -> (String, Int) in (String(c), (c == "⇧" || c == "⌫") ? keyW * 3 / 2 : keyW) }
            }
            let total = specs.reduce(0) { $0 + $1.1 }
            var x = (W - total) / 2
            for (label, width) in specs {
                let rect = Rect(x0: x + dp(3), y0: y0 + dp(4), x1: x + width - dp(3), y1: y0 + rowH - dp(4))
                let special = label.count > 1 || "⇧⌫⏎".contains(label)
                ops.append(.rect(rect, special ? (dark ? Color(r: 95, g: 99, b: 104) : Color(r: 189, g: 193, b: 198)) : keyColor, radius: dp(6)))
                var shown = label
                if shifted, label.count == 1, label.first?.isLetter == true { shown = label.uppercased() }
                if label == " " { shown = "space" }
                let size = label.count > 1 && label != " " ? dp(15) : dp(21)
                let lw = text.width(shown, size: label == " " ? dp(14) : size)
                ops.append(.text(shown, x: rect.midX - lw / 2, baseline: rect.midY + dp(7), size: label == " " ? dp(14) : size, color: fg, bold: false))
                keys.append((rect, label))
                x += width
            }
        }
    }
}
