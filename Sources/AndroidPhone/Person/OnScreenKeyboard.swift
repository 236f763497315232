/// Where the keys of the on-screen keyboard are: the virtual phone's QWERTY keyboard (four rows
/// in the 232 dp above the 48 dp navigation bar; letters, ⇧, ⌫, comma, space, period and ⏎).
/// Characters it has no key for are typed another way (see `Person.type`).
public struct OnScreenKeyboard: Sendable {
    public var width: Int
    public var height: Int
    /// Dots per inch, as `wm density` reports.
    public var density: Int

    public init(width: Int, height: Int, density: Int) {
        self.width = width
        self.height = height
        self.density = density
    }

    func dp(_ v: Double) -> Int { Int((v * Double(density) / 160).rounded()) }

    /// Each row's keys with their widths, centred on the screen as the keyboard lays them out.
    var rows: [[(key: Character, width: Int)]] {
        let w = width / 10
        let letters = ["qwertyuiop", "asdfghjkl", "⇧zxcvbnm⌫"].map { row in
            row.map { c in (key: c, width: c == "⇧" || c == "⌫" ? w * 3 / 2 : w) }
        }
        let bottom: [(key: Character, width: Int)] = [("?", w * 3 / 2), (",", w), (" ", w * 4), (".", w), ("⏎", w * 3 / 2 + width - w * 10)]
        return letters + [bottom]
    }

    /// The centre of a key: a lower-case letter, "⇧", "⌫", ",", " ", "." or "⏎"; nil for others.
    public func key(_ key: Character) -> (x: Int, y: Int)? {
        let top = height - dp(48) - dp(232)
        let rowHeight = (dp(232) - dp(8)) / 4
        for (r, row) in rows.enumerated() {
            var x = (width - row.reduce(0) { $0 + $1.width }) / 2
            for spec in row {
                if spec.key == key, key != "?" { return (x + spec.width / 2, top + dp(4) + r * rowHeight + rowHeight / 2) }
                x += spec.width
            }
        }
        return nil
    }

    /// The keys to press for a character: a letter (with ⇧ first when upper case), "⌫" for the
    /// delete key, or nil when the keyboard has no key for it.
    public func presses(for character: Character) -> [(x: Int, y: Int)]? {
        if let k = key(character), character != "⇧" { return [k] }
        let lower = Character(character.lowercased())
        guard character.isUppercase, let k = key(lower), let shift = key("⇧") else { return nil }
        return [shift, k]
    }
}
