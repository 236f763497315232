import ADB
import AndroidPhone
import ArgumentParser
import Foundation
import Imaging

extension DeviceOptions {
    func openPhone() async throws -> Phone {
        var configuration = Phone.Configuration()
        configuration.labelCacheDirectory = Phone.defaultCacheDirectory
        return Phone(target: try await open(), configuration: configuration)
    }
}

/// Writes to stdout; a reader that went away (`| head`) ends the command quietly.
func writeStdout(_ text: String) {
    writeStdout(Data(text.utf8))
}

func writeStdout(_ data: Data) {
    do { try FileHandle.standardOutput.write(contentsOf: data) } catch { exit(0) }
}

struct Screenshot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Capture the screen (raw frame from the phone, encoded here).",
        discussion: "Without -o the image goes to stdout when it is not a terminal, else to screenshot.png (or .jpg).")

    enum Format: String, ExpressibleByArgument, CaseIterable { case png, jpg }

    @OptionGroup var device: DeviceOptions

    @Option(name: .shortAndLong, help: "Where to write the image.")
    var output: String?

    @Option(help: "png or jpg (default: from the file name, else png).")
    var format: Format?

    @Option(help: "JPEG quality, 1–100.")
    var quality: Int = 90

    @Flag(help: "Hand over a black frame from a secure (FLAG_SECURE) screen instead of failing.")
    var allowBlack = false

    func validate() throws {
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be between 1 and 100") }
        if let output, output != "-", format == nil, Self.format(ofFile: output) == nil {
            throw ValidationError("cannot tell the image format of \(output): name it .png, .jpg or .jpeg, or give --format png|jpg")
        }
    }

    /// The format a file name asks for: png, jpg/jpeg; nil for another extension. A name with
    /// no extension gets PNG.
    static func format(ofFile name: String) -> Format? {
        let ext = URL(fileURLWithPath: name).pathExtension.lowercased()
        switch ext {
        case "": return .png
        case "png": return .png
        case "jpg", "jpeg": return .jpg
        default: return nil
        }
    }

    func run() async throws {
        let phone = try await device.openPhone()
        let image = try await phone.screenshot(rejectBlack: !allowBlack)
        await phone.close()
        let chosen = format ?? output.flatMap { $0 == "-" ? nil : Self.format(ofFile: $0) } ?? .png
        let bytes = chosen == .png ? try image.pngData() : try image.jpegData(quality: quality)
        if let output, output != "-" {
            guard FileManager.default.createFile(atPath: output, contents: Data(bytes)) else {
                throw CommandFailure(description: "cannot write \(output)")
            }
            FileHandle.standardError.write(Data("\(output): \(image.width)x\(image.height) \(chosen.rawValue)\n".utf8))
        } else if output == "-" || isatty(STDOUT_FILENO) == 0 {
            writeStdout(Data(bytes))
        } else {
            let path = "screenshot.\(chosen.rawValue)"
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { throw CommandFailure(description: "cannot write \(path)") }
            FileHandle.standardError.write(Data("\(path): \(image.width)x\(image.height) \(chosen.rawValue)\n".utf8))
        }
    }
}

struct Tap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Tap the screen at X Y (pixels).")
    @OptionGroup var device: DeviceOptions
    @Argument var x: Int
    @Argument var y: Int
    @Flag(help: "Tap twice, inside the double-tap window.")
    var double = false
    @Option(help: ArgumentHelp("Hold for this many milliseconds (a long press).", valueName: "ms"))
    var hold: Int?

    func validate() throws {
        try validateScreenPoint(x, y)
        if let hold, !(0...600_000).contains(hold) { throw ValidationError("--hold must be between 0 and 600000 ms") }
    }

    func run() async throws {
        let phone = try await device.openPhone()
        if let hold {
            try await phone.longPress(x: x, y: y, duration: .milliseconds(hold))
        } else if double {
            try await phone.doubleTap(x: x, y: y)
        } else {
            try await phone.tap(x: x, y: y)
        }
        await phone.close()
    }
}

/// Screen pixels start at 0: a negative coordinate is not on the screen.
func validateScreenPoint(_ x: Int, _ y: Int) throws {
    guard x >= 0, y >= 0 else {
        throw ValidationError("(\(x), \(y)) is not on the screen: coordinates are pixels from the top-left corner, 0 or more")
    }
}

struct Swipe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Swipe from X1 Y1 to X2 Y2 (pixels).")
    @OptionGroup var device: DeviceOptions
    @Argument var x1: Int
    @Argument var y1: Int
    @Argument var x2: Int
    @Argument var y2: Int
    @Option(help: "Duration in milliseconds.")
    var ms: Int = 300

    func validate() throws {
        try validateScreenPoint(x1, y1)
        try validateScreenPoint(x2, y2)
        guard (0...600_000).contains(ms) else { throw ValidationError("--ms must be between 0 and 600000") }
    }

    func run() async throws {
        let phone = try await device.openPhone()
        try await phone.swipe(fromX: x1, fromY: y1, toX: x2, toY: y2, duration: .milliseconds(ms))
        await phone.close()
    }
}

struct TypeText: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "type",
        abstract: "Type text into the focused field (any Unicode through ADB Keyboard; ASCII without it).")
    @OptionGroup var device: DeviceOptions
    @Argument(help: "The text; several words are joined with spaces.")
    var text: [String]

    func run() async throws {
        let phone = try await device.openPhone()
        let method = try await phone.type(text.joined(separator: " "))
        await phone.close()
        FileHandle.standardError.write(Data("typed through \(method == .adbKeyboard ? "ADB Keyboard" : "input text")\n".utf8))
    }
}

struct Key: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Press a key: HOME, BACK, ENTER, DEL, APP_SWITCH, VOLUME_UP, POWER, a KEYCODE_ name or a number.")
    @OptionGroup var device: DeviceOptions
    @Argument var name: String
    @Flag(help: "Hold it (a long press).")
    var long = false

    func validate() throws {
        if KeyCode(name: name) == nil {
            throw ValidationError("unknown key \"\(name)\"; try HOME, BACK, ENTER, DEL, APP_SWITCH or a key code from 0 to \(KeyCode.maxCode)")
        }
    }

    func run() async throws {
        let phone = try await device.openPhone()
        try await phone.key(KeyCode(name: name) ?? .home, longPress: long)
        await phone.close()
    }
}

struct Unlock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn the screen on and swipe the lock screen away; fails when a PIN, pattern or password guards it.")
    @OptionGroup var device: DeviceOptions

    func run() async throws {
        let phone = try await device.openPhone()
        do { try await phone.unlock() } catch PhoneError.locked {
            await phone.close()
            throw CommandFailure(description: "the phone is locked with a PIN, pattern or password: unlock it on the phone")
        }
        await phone.close()
    }
}

struct Launch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start an app, by package name or label, at its launcher activity.")
    @OptionGroup var device: DeviceOptions
    @Argument(help: "A package name (com.android.settings) or a label as `tether apps` prints it (Settings, 设置).")
    var app: String

    func run() async throws {
        let phone = try await device.openPhone()
        let package = try await phone.launch(app)
        await phone.close()
        FileHandle.standardError.write(Data("started \(package)\n".utf8))
    }
}

struct Apps: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List installed packages, their launcher activities and labels (read from the APKs, in the phone's locale).")
    @OptionGroup var device: DeviceOptions
    @Flag(help: "Only apps with a launcher entry.")
    var launchable = false
    @Flag(help: "JSON output.")
    var json = false

    func run() async throws {
        let phone = try await device.openPhone()
        var apps = try await phone.apps()
        let front = try? await phone.foregroundApp()
        await phone.close()
        if launchable { apps = apps.filter { $0.launcherActivity != nil } }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            writeStdout(String(decoding: try encoder.encode(apps), as: UTF8.self) + "\n")
            return
        }
        for app in apps {
            let marker = app.package == front?.package ? "*" : " "
            var line = "\(marker) \(app.package)"
            if let activity = app.launcherActivity { line += "\t\(activity)\t\(app.label ?? "-")" }
            writeStdout(line + "\n")
            if let problem = app.labelError { FileHandle.standardError.write(Data("\(app.package): \(problem)\n".utf8)) }
        }
    }
}

struct UI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Print the UI hierarchy (uiautomator dump): an outline, --xml or --json.")
    @OptionGroup var device: DeviceOptions
    @Flag(help: "The raw XML.")
    var xml = false
    @Flag(help: "The tree as JSON.")
    var json = false

    func validate() throws {
        if xml && json { throw ValidationError("give --xml or --json, not both") }
    }

    func run() async throws {
        let phone = try await device.openPhone()
        if xml {
            writeStdout(try await phone.uiHierarchyXML() + "\n")
            await phone.close()
            return
        }
        let tree = try await phone.uiHierarchy()
        await phone.close()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            writeStdout(String(decoding: try encoder.encode(tree), as: UTF8.self) + "\n")
            return
        }
        func outline(_ node: UINode, _ depth: Int) {
            var line = String(repeating: "  ", count: depth) + (node.className.split(separator: ".").last.map(String.init) ?? node.className)
            if !node.text.isEmpty { line += " \"\(node.text)\"" }
            if !node.contentDescription.isEmpty { line += " desc=\"\(node.contentDescription)\"" }
            if !node.resourceId.isEmpty { line += " id=\(node.resourceId)" }
            line += " \(node.bounds)"
            let flags = [(node.clickable, "clickable"), (node.focused, "focused"), (node.checked, "checked"), (node.scrollable, "scrollable"),
                         (!node.enabled, "disabled"), (node.selected, "selected")].filter(\.0).map(\.1)
            if !flags.isEmpty { line += " " + flags.joined(separator: ",") }
            writeStdout(line + "\n")
            for child in node.children { outline(child, depth + 1) }
        }
        for node in tree.nodes { outline(node, 0) }
    }
}

struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print what a person does on the phone as JSON lines: tap, long_press, swipe (with its path), pinch, key.",
        discussion: "Coordinates are screen pixels. Runs until interrupted. Taps made with `input` do not show: the kernel never sees them.")
    @OptionGroup var device: DeviceOptions
    @Option(help: "Stop after this many gestures.")
    var count: Int?

    func run() async throws {
        let phone = try await device.openPhone()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var seen = 0
        for try await gesture in phone.gestures() {
            writeStdout(String(decoding: try encoder.encode(gesture), as: UTF8.self) + "\n")
            seen += 1
            if let count, seen >= count { break }
        }
        await phone.close()
    }
}
