import AndroidPhone
import MCP

/// tap, swipe, type_text, press_key: touching the phone. Each waits (briefly) for the screen to
/// settle, so that the next inspect_screen sees the result.
extension PhoneTools {
    var inputSpecs: [Spec] { [tapSpec, swipeSpec, typeTextSpec, pressKeySpec] }

    var tapSpec: Spec {
        Spec(
            tool: Tool(
                name: "tap",
                description: """
                    Taps an element (its id from the last inspect_screen or ui_tree, at its centre) or a point \
                    x, y in screen pixels. long_press holds it; double taps twice.
                    """,
                inputSchema: JSONSchema.object([
                    "device": JSONSchema.device,
                    "element": JSONSchema.string("An element id from inspect_screen, e.g. e12."),
                    "x": JSONSchema.integer("Pixels from the left (with y, instead of element).", minimum: 0),
                    "y": JSONSchema.integer("Pixels from the top (with x, instead of element).", minimum: 0),
                    "long_press": JSONSchema.boolean("Hold for about a second."),
                    "double": JSONSchema.boolean("Tap twice quickly.")
                ]),
                annotations: .init(destructiveHint: true)),
            run: { tools, arguments in
                let selected = try await tools.phone(arguments)
                let (x, y, what) = try await tools.point(arguments, on: selected.serial, verb: "tap")
                if try arguments.bool("long_press") == true {
                    try await selected.phone.longPress(x: x, y: y, duration: .milliseconds(1000))
                } else if try arguments.bool("double") == true {
                    try await selected.phone.doubleTap(x: x, y: y)
                } else {
                    try await selected.phone.tap(x: x, y: y)
                }
                await Self.settle(selected.phone)
                return [.plain("tapped \(what)")]
            })
    }

    /// The point `element` (its centre) or `x`, `y` name, and words for it.
    func point(_ arguments: ToolArguments, on serial: String, verb: String) async throws -> (Int, Int, String) {
        if let id = try arguments.string("element") {
            guard !arguments.has("x"), !arguments.has("y") else {
                throw ToolError("\(verb): give element or x and y, not both")
            }
            let element = try await memory.element(id, on: serial)
            let (x, y) = element.node.bounds.center
            return (x, y, "\(id) at (\(x), \(y)): \(ScreenElements.line(element))")
        }
        guard let x = try arguments.int("x", in: 0...100_000), let y = try arguments.int("y", in: 0...100_000) else {
            throw ToolError("\(verb) needs element (an id from inspect_screen) or both x and y (pixels)")
        }
        return (x, y, "(\(x), \(y))")
    }

    var swipeSpec: Spec {
        Spec(
            tool: Tool(
                name: "swipe",
                description: """
                    Swipes from (from_x, from_y) to (to_x, to_y) in screen pixels, or, with direction, across the \
                    middle of the screen (direction up moves the finger up: the content scrolls down).
                    """,
                inputSchema: JSONSchema.object([
                    "device": JSONSchema.device,
                    "direction": JSONSchema.string("The way the finger moves, instead of coordinates.", choices: ["up", "down", "left", "right"]),
                    "from_x": JSONSchema.integer("Start, pixels from the left.", minimum: 0),
                    "from_y": JSONSchema.integer("Start, pixels from the top.", minimum: 0),
                    "to_x": JSONSchema.integer("End, pixels from the left.", minimum: 0),
                    "to_y": JSONSchema.integer("End, pixels from the top.", minimum: 0),
                    "duration_ms": JSONSchema.integer("How long the swipe takes (default 300).", minimum: 50, maximum: 5000)
                ]),
                annotations: .init(destructiveHint: true)),
            run: { tools, arguments in
                let selected = try await tools.phone(arguments)
                let duration = try arguments.int("duration_ms", in: 50...5000) ?? 300
                let from: (Int, Int), to: (Int, Int)
                if let direction = try arguments.choice("direction", ["up", "down", "left", "right"]) {
                    let d = try await selected.phone.display()
                    let (cx, cy) = (d.width / 2, d.height / 2)
                    let (dx, dy) = (d.width * 3 / 10, d.height * 3 / 10)
                    switch direction {
                    case "up": (from, to) = ((cx, cy + dy), (cx, cy - dy))
                    case "down": (from, to) = ((cx, cy - dy), (cx, cy + dy))
                    case "left": (from, to) = ((cx + dx, cy), (cx - dx, cy))
                    default: (from, to) = ((cx - dx, cy), (cx + dx, cy))
                    }
                } else {
                    let range = 0...100_000
                    guard let x1 = try arguments.int("from_x", in: range), let y1 = try arguments.int("from_y", in: range),
                        let x2 = try arguments.int("to_x", in: range), let y2 = try arguments.int("to_y", in: range)
                    else { throw ToolError("swipe needs direction, or all of from_x, from_y, to_x, to_y") }
                    (from, to) = ((x1, y1), (x2, y2))
                }
                try await selected.phone.swipe(
                    fromX: from.0, fromY: from.1, toX: to.0, toY: to.1, duration: .milliseconds(duration))
                await Self.settle(selected.phone)
                return [.plain("swiped (\(from.0), \(from.1)) → (\(to.0), \(to.1))")]
            })
    }

    var typeTextSpec: Spec {
        Spec(
            tool: Tool(
                name: "type_text",
                description: """
                    Types text into the focused text field (tap the field first, or pass its element id to tap it \
                    here). replace clears the field first. Any Unicode needs ADB Keyboard on the phone; plain \
                    ASCII works without it. Fails when no text field has focus.
                    """,
                inputSchema: JSONSchema.object(
                    [
                        "device": JSONSchema.device,
                        "text": JSONSchema.string("What to type."),
                        "element": JSONSchema.string("A text field's id from inspect_screen, tapped before typing."),
                        "replace": JSONSchema.boolean("Clear the field before typing (default false).")
                    ], required: ["text"]),
                annotations: .init(destructiveHint: true)),
            run: { tools, arguments in
                let text = try arguments.requiredString("text")
                let selected = try await tools.phone(arguments)
                if arguments.has("element") {
                    let (x, y, _) = try await tools.point(arguments, on: selected.serial, verb: "type_text")
                    try await selected.phone.tap(x: x, y: y)
                    await Self.settle(selected.phone)
                }
                let method =
                    try arguments.bool("replace") == true
                    ? try await selected.phone.replaceText(text) : try await selected.phone.type(text)
                await Self.settle(selected.phone)
                return [.plain("typed \(text.count) characters (\(method.rawValue))")]
            })
    }

    var pressKeySpec: Spec {
        Spec(
            tool: Tool(
                name: "press_key",
                description: """
                    Presses a key: BACK, HOME, APP_SWITCH (recents), ENTER, DEL, POWER, VOLUME_UP, VOLUME_DOWN, \
                    any other Android KEYCODE_ name, or a key code number.
                    """,
                inputSchema: JSONSchema.object(
                    [
                        "device": JSONSchema.device,
                        "key": JSONSchema.string("The key's name (BACK, HOME, ENTER …) or number.")
                    ], required: ["key"]),
                annotations: .init(destructiveHint: true)),
            run: { tools, arguments in
                let name = try arguments.requiredString("key")
                guard let key = KeyCode(name: name) else {
                    throw ToolError("press_key: unknown key \"\(name)\"; use BACK, HOME, APP_SWITCH, ENTER, DEL, POWER, VOLUME_UP … or a number")
                }
                let selected = try await tools.phone(arguments)
                try await selected.phone.key(key)
                await Self.settle(selected.phone)
                return [.plain("pressed \(key.name)")]
            })
    }
}
