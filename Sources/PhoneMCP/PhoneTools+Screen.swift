import AndroidPhone
import Foundation
import Imaging
import MCP

/// inspect_screen, list_devices, screenshot, ui_tree: looking without touching.
extension PhoneTools {
    var screenSpecs: [Spec] {
        [
            Spec(
                tool: Tool(
                    name: "inspect_screen",
                    description: """
                        The phone's screen as compact text: the app in front, the screen size, and one line per \
                        element worth acting on (id such as e12, class, text, desc=content description, \
                        id=resource id, bounds [left,top][right,bottom] in pixels, flags such as clickable). \
                        Pass an element id to tap or type_text. Start here; take a screenshot only when the text \
                        is not enough.
                        """,
                    inputSchema: JSONSchema.object(["device": JSONSchema.device]),
                    annotations: .init(readOnlyHint: true)),
                run: { tools, arguments in [.plain(try await tools.inspect(arguments, tree: false))] })
        ]
    }

    var listDevicesSpec: Spec {
        Spec(
            tool: Tool(
                name: "list_devices",
                description: "The phones this server drives: serial, state (online, offline, unauthorized, busy) and model.",
                inputSchema: JSONSchema.object([:]), annotations: .init(readOnlyHint: true)),
            run: { tools, _ in
                let devices = await tools.source.devices()
                guard !devices.isEmpty else { return [.plain("no devices")] }
                return [
                    .plain(
                        devices.map { d in
                            ([d.serial, d.state] + [d.model, d.message].compactMap { $0 }).joined(separator: "  ")
                        }.joined(separator: "\n"))
                ]
            })
    }

    var screenshotSpec: Spec {
        Spec(
            tool: Tool(
                name: "screenshot",
                description: """
                    The screen as an image, scaled down (never up, keeping its shape) to fit max_width × max_height. \
                    PNG by default, JPEG when asked (smaller).
                    """,
                inputSchema: JSONSchema.object([
                    "device": JSONSchema.device,
                    "max_width": JSONSchema.integer("Widest the image may be, in pixels (default 1080).", minimum: 16, maximum: 8192),
                    "max_height": JSONSchema.integer("Tallest the image may be, in pixels (default 1920).", minimum: 16, maximum: 8192),
                    "format": JSONSchema.string("Image format.", choices: ["png", "jpeg"])
                ]),
                annotations: .init(readOnlyHint: true)),
            run: { tools, arguments in
                let maxWidth = try arguments.int("max_width", in: 16...8192) ?? 1080
                let maxHeight = try arguments.int("max_height", in: 16...8192) ?? 1920
                let jpeg = try arguments.choice("format", ["png", "jpeg"]) == "jpeg"
                let selected = try await tools.phone(arguments)
                let image = try await selected.phone.screenshot()
                let scaled = try Self.fit(image, maxWidth: maxWidth, maxHeight: maxHeight)
                let bytes = jpeg ? try scaled.jpegData(quality: 80) : try scaled.pngData()
                return [
                    .picture(data: Data(bytes).base64EncodedString(), mimeType: jpeg ? "image/jpeg" : "image/png"),
                    .plain("\(scaled.width)x\(scaled.height) of a \(image.width)x\(image.height) screen")
                ]
            })
    }

    var uiTreeSpec: Spec {
        Spec(
            tool: Tool(
                name: "ui_tree",
                description: """
                    The whole UI hierarchy as an indented tree, containers included, with the same element ids as \
                    inspect_screen (usable by tap). Larger than inspect_screen: use it when layout matters.
                    """,
                inputSchema: JSONSchema.object(["device": JSONSchema.device]),
                annotations: .init(readOnlyHint: true)),
            run: { tools, arguments in [.plain(try await tools.inspect(arguments, tree: true))] })
    }

    /// The screen as text: a header, then the meaningful elements (or, for `tree`, every node,
    /// indented by depth). Remembers the ids for tap and type_text.
    func inspect(_ arguments: ToolArguments, tree: Bool) async throws -> String {
        let selected = try await phone(arguments)
        let hierarchy = try await selected.phone.uiHierarchy()
        let display = try await selected.phone.display()
        let foreground = try await selected.phone.foregroundApp()
        let elements = ScreenElements(hierarchy)
        await memory.remember(elements, for: selected.serial)
        var lines = [
            "device: \(selected.serial)",
            "foreground: \(foreground.map { $0.activity ?? $0.package } ?? "unknown")\(foreground?.window.map { " (window \($0))" } ?? "")",
            "screen: \(display.width)x\(display.height), rotation \(display.rotation * 90)°"
        ]
        if tree {
            lines += elements.elements.map { String(repeating: "  ", count: $0.depth) + ScreenElements.line($0) }
        } else {
            let shown = elements.meaningful
            lines.append("elements (\(shown.count) of \(elements.elements.count) nodes):")
            lines += shown.map(ScreenElements.line)
        }
        return lines.joined(separator: "\n")
    }

    /// `image` scaled down to fit `maxWidth` × `maxHeight` (its aspect ratio kept; never enlarged).
    static func fit(_ image: Image, maxWidth: Int, maxHeight: Int) throws -> Image {
        let scale = min(1, Double(maxWidth) / Double(image.width), Double(maxHeight) / Double(image.height))
        guard scale < 1 else { return image }
        let width = max(1, Int((Double(image.width) * scale).rounded()))
        let height = max(1, Int((Double(image.height) * scale).rounded()))
        return try image.resized(width: min(width, maxWidth), height: min(height, maxHeight))
    }
}
