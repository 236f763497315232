import ADB
import Basics
import Foundation
import Imaging

/// The phone's screen at one moment, for a recording: screenshot, UI tree, app in front and
/// the display (size, rotation).
public struct ScreenSnapshot: Sendable {
    public var image: Image
    /// `uiautomator dump`'s XML and its tree; nil when the dump failed (a secure screen, a
    /// phone too busy).
    public var hierarchyXML: String?
    public var hierarchy: UIHierarchy?
    public var foreground: ForegroundApp?
    public var display: DisplayInfo
}

/// What a recording sees: a fresh look at the screen between gestures, or a finished gesture
/// with the screen as it was just before the finger went down (or the key was pressed).
public enum RecordingEvent: Sendable {
    case screen(ScreenSnapshot)
    /// `before` is nil only when no screen could be taken before the first gesture;
    /// `fresh` is false when the person was quicker than the screenshots (the screen is the last
    /// one taken, from before the previous gesture ended).
    case gesture(Gesture, before: ScreenSnapshot?, fresh: Bool)
}

/// What the two halves of a recording share: input activity counts and the last good screen.
struct RecordingState: Sendable {
    /// Goes up when a finger goes down or a key is pressed, and when the gesture ends: a
    /// screenshot is only good when this did not change while it was taken and no finger or key
    /// was down.
    var generation = 0
    var active = false
    /// getevent has started printing (its device list): touches from now on are seen. Screens
    /// are taken only from then on, so a person who waits for the first one is recorded.
    var listening = false
    var latest: (snapshot: ScreenSnapshot, generation: Int)?
    var held: (snapshot: ScreenSnapshot, fresh: Bool)?
}

extension Phone {
    /// Follows a person's use of the phone for `tether record`: `getevent -lt` turned into
    /// gestures, and the screen (screenshot, UI tree, app in front) taken again and again between
    /// them, so each gesture comes with the screen the person saw. The first screen comes once
    /// getevent listens: a touch after it is recorded. Ends when the consumer stops iterating;
    /// throws when the phone goes away.
    public nonisolated func recordingEvents(screenInterval: Duration = .milliseconds(150)) -> AsyncThrowingStream<RecordingEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<RecordingEvent, any Error>.makeStream()
        let task = Task {
            do {
                let state = Locked(RecordingState())
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await self.followInput(state: state, continuation: continuation) }
                    group.addTask { try await self.followScreen(state: state, interval: screenInterval, continuation: continuation) }
                    try await group.next()
                    group.cancelAll()
                }
                continuation.finish()
            } catch is CancellationError {
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// One look at the screen.
    public func snapshot() async throws -> ScreenSnapshot {
        let display = try await display()
        let image = try await screenshot(rejectBlack: false)
        let xml = try? await uiHierarchyXML()
        let hierarchy = xml.flatMap { try? UIHierarchy(xml: $0) }
        let foreground = try await foregroundApp()
        return ScreenSnapshot(image: image, hierarchyXML: xml, hierarchy: hierarchy, foreground: foreground, display: display)
    }

    nonisolated func followScreen(
        state: Locked<RecordingState>, interval: Duration, continuation: AsyncThrowingStream<RecordingEvent, any Error>.Continuation
    ) async throws {
        while !Task.isCancelled {
            let start = state.withLock { ($0.generation, $0.active || !$0.listening) }
            if start.1 {
                try await Task.sleep(for: .milliseconds(20))
                continue
            }
            let snapshot = try await self.snapshot()
            let good = state.withLock { s -> Bool in
                guard s.generation == start.0, !s.active else { return false }
                s.latest = (snapshot, start.0)
                return true
            }
            if good { continuation.yield(.screen(snapshot)) }
            try await Task.sleep(for: interval)
        }
    }

    nonisolated func followInput(
        state: Locked<RecordingState>, continuation: AsyncThrowingStream<RecordingEvent, any Error>.Continuation
    ) async throws {
        let devices = try await inputDevices()
        guard devices.contains(where: \.isTouchscreen) else {
            throw PhoneError.unexpectedOutput(command: "getevent -lp", output: "no touchscreen among \(devices.map(\.name))")
        }
        var recognizer = GestureRecognizer(devices: devices, display: try await display())
        let session: ShellSession
        do { session = try await target.startShell("getevent -lt") } catch {
            throw PhoneError.from(error, action: "getevent -lt", timeout: nil)
        }
        var keysDown = Set<String>()
        var pending: [UInt8] = []
        do {
            reading: while true {
                guard let event = try await session.next() else { break reading }
                switch event {
                case .stdout(let bytes):
                    if pending.isEmpty { state.withLock { $0.listening = true } }
                    pending += bytes
                case .exit: break reading
                default: continue reading
                }
                while let newline = pending.firstIndex(of: 10) {
                    let line = String(decoding: pending[..<newline], as: UTF8.self)
                    pending.removeSubrange(...newline)
                    guard let raw = GeteventParser.parseLine(Substring(line)) else { continue }
                    let wasActive = !recognizer.isIdle || !keysDown.isEmpty
                    if !wasActive, let display = state.value.latest?.snapshot.display, display != recognizer.display {
                        recognizer.display = display
                    }
                    if raw.type == InputCodes.EV_KEY, raw.code != InputCodes.BTN_TOUCH, raw.code < 0x100 || raw.code >= 0x160 {
                        let id = (raw.device ?? "") + " \(raw.code)"
                        if raw.value == 1 { keysDown.insert(id) } else if raw.value == 0 { keysDown.remove(id) }
                    }
                    let gestures = recognizer.feed(raw)
                    let isActive = !recognizer.isIdle || !keysDown.isEmpty
                    if !wasActive, isActive { Self.inputBegan(state) }
                    for gesture in gestures {
                        let held = state.withLock { s -> (ScreenSnapshot, Bool)? in
                            defer { s.held = nil }
                            return s.held.map { ($0.snapshot, $0.fresh) }
                        }
                        continuation.yield(.gesture(gesture, before: held?.0, fresh: held?.1 ?? false))
                    }
                    if wasActive, !isActive {
                        state.withLock {
                            $0.generation += 1
                            $0.active = false
                        }
                    }
                }
            }
            await session.close()
        } catch {
            await session.close()
            throw PhoneError.from(error, action: "getevent -lt", timeout: nil)
        }
        try Task.checkCancellation()
        throw PhoneError.unexpectedOutput(command: "getevent -lt", output: "the event stream ended: the phone went away")
    }

    /// A finger went down or a key was pressed: the last good screen is the one before it.
    static func inputBegan(_ state: Locked<RecordingState>) {
        state.withLock { s in
            if let latest = s.latest { s.held = (latest.snapshot, latest.generation == s.generation) }
            s.generation += 1
            s.active = true
        }
    }
}
