import Agent
import AndroidPhone
import ArgumentParser
import Foundation
import Logging
import Trajectory

/// `tether record`: a person's demonstration on the phone, written as an episode in the agent's
/// format (`"source": "human"`).
struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record what a person does on the phone as an episode (screens, gestures, keys, typed text).",
        discussion: """
            Follows the phone's touchscreen and keys (getevent) and takes the screen again and again \
            between gestures, so each step is stored with the screenshot, the UI tree and the app in \
            front just before the finger went down, and the element under it. Text typed with any \
            keyboard becomes one Type step. Prints one line per step. Stops on Ctrl-C, on \
            --until-key, or after --max-steps; the episode is closed either way, and a phone that \
            goes away leaves every step recorded so far (exit status 1). See docs/trajectory.md.
            """)

    @OptionGroup var device: DeviceOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("The episode folder, new or empty (default: episode-DATE-TIME).", valueName: "dir"))
    var output: String?

    @Option(help: "What the person is doing, in words (the episode's task).")
    var task: String = ""

    @Option(
        name: .customLong("until-key"),
        help: ArgumentHelp("Stop when this key is pressed (it is not recorded): VOLUME_DOWN, VOLUME_UP, POWER, BACK, HOME, APP_SWITCH or a KEY_ name.", valueName: "key"))
    var untilKey: String?

    @Option(name: .customLong("max-steps"), help: "Stop after this many steps.")
    var maxSteps: Int?

    @Option(help: ArgumentHelp("Save screenshots as JPEG at this quality (1–100) instead of PNG.", valueName: "quality"))
    var jpeg: Int?

    @Option(
        help: ArgumentHelp(
            "End a recording the person stops (Ctrl-C or --until-key) with a finish step: the screen as it is then and finish(message=MESSAGE), the person saying the task is done.",
            valueName: "message"))
    var finish: String?

    @Option(help: "The language of the agent's system prompt recorded with the demonstration: en or zh.")
    var lang: PromptLanguage = .english

    @Option(
        help: ArgumentHelp(
            "The day that system prompt gives as today (default: the day the recording starts).", valueName: "YYYY-MM-DD"))
    var date: PromptDay?

    @Option(help: ArgumentHelp("The Devices directory whose shortcuts the agent's system prompt lists (default: found from the current directory or $TETHER_DEVICES).", valueName: "dir"))
    var devices: String?

    func validate() throws {
        if let maxSteps, maxSteps < 1 { throw ValidationError("--max-steps must be at least 1") }
        if let jpeg, !(1...100).contains(jpeg) { throw ValidationError("--jpeg takes a quality from 1 to 100") }
        if let finish, finish.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("--finish needs a message, e.g. --finish \"Done\"")
        }
        if let untilKey, HumanKeys.name(untilKey) == nil {
            throw ValidationError("unknown key \"\(untilKey)\" for --until-key; try VOLUME_DOWN, VOLUME_UP, POWER, BACK, HOME or APP_SWITCH")
        }
    }

    func run() async throws {
        let phone = try await device.openPhone()
        let directory = URL(fileURLWithPath: output ?? Self.defaultFolder())
        let model = (try? await phone.shell("getprop ro.product.model").stdoutText)?.trimmingCharacters(in: .whitespacesAndNewlines)
        let serial = (try? await phone.shell("getprop ro.serialno").stdoutText)?.trimmingCharacters(in: .whitespacesAndNewlines)
        let apps = (try? await phone.apps()) ?? []
        let names = AppNames(
            labels: Dictionary(apps.compactMap { app in app.label.map { (app.package, $0) } }, uniquingKeysWith: { a, _ in a }),
            launchers: (try? await phone.launcherPackages()) ?? [])
        let startedAt = Date()
        let writer = try DemonstrationWriter(
            directory: directory, task: task,
            device: EpisodeInfo.Device(serial: serial.flatMap { $0.isEmpty ? nil : $0 }, model: model.flatMap { $0.isEmpty ? nil : $0 }),
            screens: jpeg.map { .jpeg(quality: $0) } ?? .png, startedAt: startedAt, language: lang,
            systemPrompt: try agentPrompt(apps: apps, names: names, date: date?.date(in: .current) ?? startedAt))
        say("recording to \(directory.path)")
        let stopKey = untilKey.flatMap(HumanKeys.name)
        let limit = maxSteps
        let ready = "ready: use the phone; Ctrl-C\(untilKey.map { " or \($0)" } ?? "") stops"
        let work = Task { await Self.record(phone: phone, writer: writer, names: names, stopKey: stopKey, maxSteps: limit, ready: ready) }
        let stopper = cancelOnInterrupt(work)
        let (status, message) = await work.value
        stopper.cancel()
        if status == .finished, let finish {
            // The person's "done": the screen as the task left it, then finish.
            do {
                let state = names.state(try await phone.snapshot())
                let record = try await writer.record(
                    HumanStep(action: .finish(message: finish), gesture: nil, element: nil, screen: state, startedAt: Date()))
                say(String(format: "%3d ", record.step) + Action.finish(message: finish).description + "  (\(record.currentApp))")
            } catch {
                warn("no finish step: the screen could not be taken (\(error))")
            }
        }
        try await writer.finish(status, message: message)
        let steps = await writer.steps
        say("\(status.rawValue) after \(steps) step\(steps == 1 ? "" : "s"): \(message)")
        await phone.close()
        if status == .failed { throw ExitCode(1) }
    }

    /// The system prompt `tether run` would send on this phone now: its launcher apps and the
    /// Devices folder's shortcuts for them.
    func agentPrompt(apps: [InstalledApp], names: AppNames, date: Date) throws -> String {
        let labels = apps.filter { $0.launcherActivity != nil && !names.launchers.contains($0.package) }
            .map { AppLabel(package: $0.package, label: names.name(of: $0.package)) }
        let catalog = try DevicesFolder.catalog(devices, required: false)
        let offered = try DevicesFolder.shortcuts(of: catalog).offered(installedPackages: Set(labels.map(\.package)))
        return SystemPrompt(language: lang, date: date, apps: labels, shortcuts: offered).text
    }

    static func defaultFolder() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyyMMdd-HHmmss"
        return "episode-" + f.string(from: Date())
    }

    /// Follows the phone until the person stops; returns how the episode ends.
    static func record(
        phone: Phone, writer: DemonstrationWriter, names: AppNames, stopKey: String?, maxSteps: Int?, ready: String
    ) async -> (Outcome.Status, String) {
        let logger = Logger(label: "tether.record")
        var recorder = DemonstrationRecorder()
        var latest: ScreenState?
        var ending: (Outcome.Status, String)?
        func write(_ steps: [HumanStep]) async throws {
            for step in steps {
                if let maxSteps, await writer.steps >= maxSteps { return }
                let record = try await writer.record(step)
                say(line(record, step))
                if let maxSteps, record.step >= maxSteps { ending = (.finished, "stopped after \(maxSteps) steps (--max-steps)") }
            }
        }
        do {
            events: for try await event in phone.recordingEvents() {
                switch event {
                case .screen(let snapshot):
                    logger.debug("fresh screen", metadata: ["app": "\(snapshot.foreground?.package ?? "?")"])
                    let state = names.state(snapshot)
                    if latest == nil { say(ready) }
                    latest = state
                    try await write(recorder.screen(state))
                case .gesture(let gesture, let before, let fresh):
                    if let stopKey, gesture.kind == .key, HumanKeys.name(gesture.key ?? "") == stopKey {
                        ending = (.finished, "stopped by \(gesture.key ?? stopKey) (--until-key)")
                        break events
                    }
                    if !fresh, gesture.kind != .key {
                        warn("a \(gesture.kind.rawValue) came before the screen was taken again; its step shows the screen from before the previous one")
                    }
                    let screen = before.map(names.state)
                    try await write(recorder.gesture(human(gesture, rotation: before?.display.rotation), before: screen))
                }
                if ending != nil { break events }
            }
            if ending == nil { ending = (.finished, "stopped by Ctrl-C") }
        } catch is CancellationError {
            ending = (.finished, "stopped by Ctrl-C")
        } catch let error as EpisodeError {
            return (.failed, error.message)
        } catch {
            ending = (.failed, "the phone went away or stopped answering: \(error)")
        }
        // The held tap and any text typed since the last gesture.
        do { try await write(recorder.finish(latest: latest)) } catch {
            return (.failed, "\(error)")
        }
        return ending ?? (.finished, "stopped")
    }

    static func line(_ record: StepRecord, _ step: HumanStep) -> String {
        var text = String(format: "%3d ", record.step)
        if let action = step.action {
            text += action.description
        } else if let g = step.gesture {
            text += g.kind == .key ? "key \(g.key ?? "?")" : g.kind.rawValue
        }
        if let e = step.element {
            let label = [e.text, e.contentDescription, e.resourceId].first { !$0.isEmpty } ?? e.className
            text += "  on \"\(label)\""
        }
        return text + "  (\(record.currentApp))"
    }

    static func human(_ g: Gesture, rotation: Int?) -> HumanGesture {
        let kind: HumanGesture.Kind =
            switch g.kind {
            case .tap: .tap
            case .longPress: .longPress
            case .swipe: .swipe
            case .pinch: .pinch
            case .key: .key
            }
        let path = g.tracks?.first.map { $0.points.map { HumanGesture.PathPoint(t: $0.t, x: $0.x, y: $0.y) } }
        return HumanGesture(
            kind: kind, time: g.time, duration: g.duration, x: g.x, y: g.y, endX: g.endX, endY: g.endY,
            path: kind == .swipe || kind == .pinch ? path : nil, fingers: g.fingers, key: g.key, rotation: rotation,
            startedAt: Date().addingTimeInterval(-g.duration))
    }
}

/// The names the agent gives apps in front: the launcher's label, "System Home" for a launcher.
struct AppNames: Sendable {
    var labels: [String: String]
    var launchers: Set<String>

    func name(of package: String?) -> String {
        guard let package, !package.isEmpty else { return AndroidPhoneControl.homeLabel }
        if launchers.contains(package) { return AndroidPhoneControl.homeLabel }
        return labels[package] ?? package
    }

    func state(_ s: ScreenSnapshot) -> ScreenState {
        let elements = (s.hierarchy?.allNodes ?? []).map { n in
            ScreenElement(
                text: n.text, resourceId: n.resourceId, className: n.className, contentDescription: n.contentDescription,
                bounds: [n.bounds.left, n.bounds.top, n.bounds.right, n.bounds.bottom], clickable: n.clickable,
                longClickable: n.longClickable, focusable: n.focusable, focused: n.focused, scrollable: n.scrollable,
                checkable: n.checkable)
        }
        return ScreenState(
            image: s.image, width: s.image.width, height: s.image.height, currentApp: name(of: s.foreground?.package),
            package: s.foreground?.package, elements: elements, uiXML: s.hierarchyXML, rotation: s.display.rotation)
    }
}

/// Key names as people write them (VOLUME_DOWN, KEY_VOLUMEDOWN, volume-down) to one spelling.
enum HumanKeys {
    static let known: [String: String] = [
        "VOLUMEDOWN": "VOLUMEDOWN", "VOLUMEUP": "VOLUMEUP", "POWER": "POWER", "BACK": "BACK", "HOME": "HOME",
        "HOMEPAGE": "HOME", "APPSWITCH": "APPSELECT", "APPSELECT": "APPSELECT", "RECENTS": "APPSELECT", "MENU": "MENU",
        "CAMERA": "CAMERA", "SEARCH": "SEARCH", "WAKEUP": "WAKEUP", "SLEEP": "SLEEP", "MUTE": "MUTE"
    ]

    static func name(_ text: String) -> String? {
        var s = text.uppercased().replacingOccurrences(of: "_", with: "").replacingOccurrences(of: "-", with: "")
        for prefix in ["KEYCODE", "KEY"] where s.hasPrefix(prefix) { s = String(s.dropFirst(prefix.count)) }
        return known[s]
    }
}
