import ADB
import Foundation
import Imaging
import Basics

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
                let latestDisplay = Locked<DisplayInfo?>(nil)
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
                            if recognizer.isIdle, let display = latestDisplay.exchange(nil), display != recognizer.display {
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
