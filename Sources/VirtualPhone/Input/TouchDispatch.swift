import Foundation

extension VirtualPhone {
    func hit(_ node: UINode, _ x: Int, _ y: Int, long: Bool) -> TapTarget? {
        guard node.bounds.contains(x, y) else { return nil }
        for child in node.children.reversed() {
            if let t = hit(child, x, y, long: long) { return t }
        }
        return long ? (node.longPress ?? node.tap) : node.tap
    }

    func tap(x: Int, y: Int) {
        let frame = layout()
        if !shadeOpen {
            if frame.navBar.contains(x, y) {
                let third = frame.navBar.width / 3
                if x < third { pressBack() } else if x < 2 * third { pressHome() }
                return
            }
            if frame.statusBar.contains(x, y) { return }
            if let kb = frame.keyboard, kb.contains(x, y) {
                if let key = frame.keys.first(where: { $0.0.contains(x, y) })?.1 { keyboardKey(key) }
                return
            }
        }
        guard let target = hit(frame.root, x, y, long: false) else {
            if topEntry?.focus != nil { unfocus() }
            return
        }
        run(target, x: x)
    }

    func longPress(x: Int, y: Int) {
        let frame = layout()
        guard let target = hit(frame.root, x, y, long: true) else { return }
        run(target, x: x)
    }

    func run(_ target: TapTarget, x: Int) {
        switch target {
        case .actions(let actions, let ctx, let pkg):
            unfocus()
            perform(actions, package: pkg, context: ctx)
        case .focus(let field): focus(field)
        case .toggle(let path, let pkg):
            let on = states[pkg]?.value(at: StatePath(path))?.truthy ?? false
            states[pkg, default: .object([:])].set(.bool(!on), at: StatePath(path))
            dirty.insert(pkg)
        case .slider(let path, let lo, let hi, let track, let pkg):
            let f = min(max(Double(x - track.x0) / Double(max(track.width, 1)), 0), 1)
            states[pkg, default: .object([:])].set(.number((lo + f * (hi - lo)).rounded()), at: StatePath(path))
            dirty.insert(pkg)
        case .launch(let pkg): launch(pkg)
        case .back: pressBack()
        case .closeShade: shadeOpen = false
        }
        changed()
    }

    func keyboardKey(_ key: String) {
        switch key {
        case "⇧": shifted.toggle()
        case "⌫": deleteBackward()
        case "⏎": submitFocused()
        case "?123": break
        default:
            type(shifted ? key.uppercased() : key)
            shifted = false
        }
        changed()
    }

    func swipe(fromX x1: Int, fromY y1: Int, toX x2: Int, toY y2: Int) {
        let frame = layout()
        let dy = y2 - y1, dx = x2 - x1
        if shadeOpen {
            if dy < 0 { shadeOpen = false }
            return
        }
        if y1 <= frame.statusBar.y1 + dp(8), dy > dp(40) {
            shadeOpen = true
            unfocus()
            return
        }
        if abs(dy) >= abs(dx) {
            if let entry = topEntry, let app = catalog.apps[entry.package], let screen = app.screen(entry.screen),
                let up = screen.onSwipeUp, dy < -dp(80), frame.contentHeight <= frame.content.height
            {
                perform(up, package: app.package, context: context(for: entry, app: app))
                return
            }
            scroll(by: -dy, frame: frame)
        }
    }

    func scroll(by delta: Int, frame: Frame) {
        guard let last = tasks.indices.last, let e = tasks[last].entries.indices.last else { return }
        let maxScroll = max(0, frame.contentHeight - frame.content.height)
        let current = tasks[last].entries[e].scroll
        tasks[last].entries[e].scroll = min(max(current + delta, 0), maxScroll)
        changed()
    }

    /// An Android key code as `input keyevent` delivers it.
    @discardableResult
    func keyEvent(_ code: Int) -> Bool {
        if let handled = lockScreenKey(code) { return handled }
        switch code {
        case 3: pressHome()
        case 4, 111: pressBack()
        case 66, 160: submitFocused()
        case 67: deleteBackward()
        case 62: type(" ")
        case 61: type("\t")
        case 7...16: type(String(code - 7))
        case 29...54: type(String(UnicodeScalar(UInt8(97 + code - 29))))
        case 55: type(",")
        case 56: type(".")
        case 77: type("@")
        case 81: type("+")
        case 69: type("-")
        case 19, 20:
            let frame = layout()
            scroll(by: code == 20 ? dp(100) : -dp(100), frame: frame)
        case 26, 223, 224, 82, 187, 24, 25, 164, 122, 123: break
        default: return false
        }
        return true
    }
}
