import ADB
import Foundation
import Imaging

/// The outcome of waiting for the screen to settle.
public struct SettleResult: Sendable {
    /// The last frame captured: the settled screen, ready to use.
    public var image: Image
    /// False when the timeout came first.
    public var settled: Bool
    public var frames: Int
    public var elapsed: Duration
}

extension Phone {
    // MARK: - UI hierarchy

    static let uiDumpPath = "/data/local/tmp/tether-ui.xml"

    /// The raw XML of `uiautomator dump`, retried while the phone reports it cannot get an idle
    /// state (animations) or a root node.
    public func uiHierarchyXML() async throws -> String {
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.uiDumpTimeout
        let path = Self.uiDumpPath
        let command = "rm -f \(path); uiautomator dump \(path) && cat \(path)"
        var attempt = 0
        while true {
            attempt += 1
            let remaining = deadline - clock.now
            guard remaining > .zero else { throw PhoneError.timeout(action: "uiautomator dump", after: configuration.uiDumpTimeout) }
            let result = try await shell(command, timeout: remaining)
            let out = result.stdoutText
            if let start = out.range(of: "<?xml") ?? out.range(of: "<hierarchy") {
                return String(out[start.lowerBound...])
            }
            let message = (result.stderrText + out).trimmingCharacters(in: .whitespacesAndNewlines)
            let transient = message.contains("idle state") || message.contains("null root node") || message.isEmpty
            guard transient, attempt < 5 else { throw PhoneError.uiDumpFailed(message.isEmpty ? "no output" : message) }
            logger.debug("uiautomator dump failed (\(message)); retrying")
            try await Task.sleep(for: .milliseconds(300 * attempt))
        }
    }

    /// The UI hierarchy as a tree.
    public func uiHierarchy() async throws -> UIHierarchy {
        try UIHierarchy(xml: try await uiHierarchyXML())
    }

    // MARK: - Settling

    /// Captures frames until two in a row differ in no more than `threshold` of their pixels
    /// (sampled), or `timeout` passes. Returns the last frame either way.
    public func waitUntilSettled(threshold: Double = 0.002, interval: Duration = .milliseconds(100),
                                 timeout: Duration = .seconds(3)) async throws -> SettleResult {
        let clock = ContinuousClock()
        let start = clock.now
        var previous = try await screenshot(rejectBlack: false)
        var frames = 1
        while clock.now - start < timeout {
            try await Task.sleep(for: interval)
            let frame = try await screenshot(rejectBlack: false)
            frames += 1
            let difference = Self.frameDifference(previous, frame)
            previous = frame
            if difference <= threshold {
                try await rejectIfBlack(frame)
                return SettleResult(image: frame, settled: true, frames: frames, elapsed: clock.now - start)
            }
        }
        try await rejectIfBlack(previous)
        return SettleResult(image: previous, settled: false, frames: frames, elapsed: clock.now - start)
    }

    func rejectIfBlack(_ image: Image) async throws {
        guard Self.isBlackFrame(image) else { return }
        let state = try await wakefulness()
        if state != .awake, state != .unknown { throw PhoneError.screenOff }
        throw PhoneError.secureScreen(foreground: (try? await foregroundApp())?.package)
    }

    /// The fraction (0…1) of sampled pixels whose colour changed by more than a little between
    /// two frames; 1 when the sizes differ.
    public static func frameDifference(_ a: Image, _ b: Image) -> Double {
        guard a.width == b.width, a.height == b.height, a.width > 0, a.height > 0 else { return 1 }
        let step = 2
        var changed = 0, total = 0
        a.withUnsafeBytes { pa in
            b.withUnsafeBytes { pb in
                var y = 0
                while y < a.height {
                    let ra = y * a.stride, rb = y * b.stride
                    var x = 0
                    while x < a.width {
                        let i = ra + x * 4, j = rb + x * 4
                        let d = max(abs(Int(pa[i]) - Int(pb[j])), abs(Int(pa[i + 1]) - Int(pb[j + 1])), abs(Int(pa[i + 2]) - Int(pb[j + 2])))
                        if d > 12 { changed += 1 }
                        total += 1
                        x += step
                    }
                    y += step
                }
            }
        }
        return total == 0 ? 0 : Double(changed) / Double(total)
    }

    // MARK: - Input events

    /// The phone's input devices with their axis ranges (`getevent -lp`).
    public func inputDevices() async throws -> [InputDevice] {
        InputDevice.parse(capabilities: try await shell("getevent -lp").stdoutText)
    }

    /// What a person does on the phone, live: taps, long presses, swipes with their paths, pinches
    /// and keys, in pixels of the screen as it is turned. The rotation is asked again every
    /// `rotationPollInterval` and taken between gestures. Runs until the consumer stops iterating
    /// (which ends `getevent` on the phone) or the phone goes away.
    ///
    /// Events injected with `input` do not appear: the kernel never sees them.
    public nonisolated func gestures() -> AsyncThrowingStream<Gesture, any Error> {
        let (stream, continuation) = AsyncThrowingStream<Gesture, any Error>.makeStream()
        let task = Task {
            do {
                let devices = try await self.inputDevices()
                guard devices.contains(where: \.isTouchscreen) else {
                    throw PhoneError.unexpectedOutput(command: "getevent -lp", output: "no touchscreen among \(devices.map(\.name))")
                }
                var recognizer = GestureRecognizer(devices: devices, display: try await self.display())
                let session: ShellSession
                do { session = try await self.target.startShell("getevent -lt") } catch {
                    throw PhoneError.from(error, action: "getevent -lt", timeout: nil)
                }
                let latestDisplay = LatestValue<DisplayInfo>()
                let rotationWatch = Task { [configuration] in
                    while !Task.isCancelled {
                        try? await Task.sleep(for: configuration.rotationPollInterval)
                        if let display = try? await self.display() { latestDisplay.set(display) }
                    }
                }
                defer { rotationWatch.cancel() }
                var pending: [UInt8] = []
                do {
                    while let event = try await session.next() {
                        guard case .stdout(let bytes) = event else {
                            if case .exit = event { break }
                            continue
                        }
                        pending += bytes
                        while let newline = pending.firstIndex(of: 10) {
                            let line = String(decoding: pending[..<newline], as: UTF8.self)
                            pending.removeSubrange(...newline)
                            guard let raw = GeteventParser.parseLine(Substring(line)) else { continue }
                            if recognizer.isIdle, let display = latestDisplay.take(), display != recognizer.display {
                                recognizer.display = display
                            }
                            for gesture in recognizer.feed(raw) { continuation.yield(gesture) }
                        }
                    }
                    await session.close()
                } catch {
                    await session.close()
                    throw PhoneError.from(error, action: "getevent -lt", timeout: nil)
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
}

/// The newest value one task sets and another takes, without waiting on each other.
final class LatestValue<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value?

    func set(_ newValue: Value) {
        lock.lock()
        value = newValue
        lock.unlock()
    }

    /// The value set since the last take, if any.
    func take() -> Value? {
        lock.lock()
        defer { lock.unlock() }
        let v = value
        value = nil
        return v
    }
}
