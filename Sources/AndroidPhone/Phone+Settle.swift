import Foundation
import Imaging

/// The outcome of waiting for the screen to settle.
public struct SettleResult: Sendable {
    /// The last frame captured: the settled screen, ready to use.
    public var image: Image
    /// False when the timeout came first (the screen kept moving).
    public var settled: Bool
    public var frames: Int
    /// From the first capture to the end of the last comparison.
    public var elapsed: Duration
    /// How long the wait for a still screen took: what settling cost this step. The same as
    /// `elapsed`, named for the agent's step line and episode.
    public var settleTime: Duration { elapsed }

    public init(image: Image, settled: Bool, frames: Int, elapsed: Duration) {
        self.image = image
        self.settled = settled
        self.frames = frames
        self.elapsed = elapsed
    }
}

extension Phone {
    // MARK: - Settling

    /// Captures frames until two in a row differ in no more than `threshold` of their pixels
    /// (sampled), or `timeout` passes. Returns the last frame either way; a black one is an error
    /// (screen off, or a secure window).
    ///
    /// The next frame is asked for at once, then after `firstInterval`, doubling up to
    /// `maxInterval`: a still screen settles in two captures, a moving one is watched at a rate
    /// that does not flood the phone.
    public func waitUntilSettled(
        threshold: Double = 0.002, firstInterval: Duration = .milliseconds(10),
        maxInterval: Duration = .milliseconds(100),
        timeout: Duration = .seconds(3)
    ) async throws -> SettleResult {
        let result = try await Self.settle(threshold: threshold, firstInterval: firstInterval, maxInterval: maxInterval, timeout: timeout) {
            try await self.screenshot(rejectBlack: false)
        }
        try await rejectIfBlack(result.image)
        return result
    }

    /// The settling loop over any frame source (the phone's screenshots; a test's frames).
    /// The first comparison follows the first frame without a pause.
    public static func settle(
        threshold: Double = 0.002, firstInterval: Duration = .milliseconds(10),
        maxInterval: Duration = .milliseconds(100), timeout: Duration = .seconds(3),
        capture: @Sendable () async throws -> Image
    ) async throws -> SettleResult {
        let clock = ContinuousClock()
        let start = clock.now
        var previous = try await capture()
        var frames = 1
        var pause = Duration.zero
        while clock.now - start < timeout {
            if pause > .zero { try await Task.sleep(for: pause) }
            let frame = try await capture()
            frames += 1
            let difference = frameDifference(previous, frame)
            previous = frame
            if difference <= threshold {
                return SettleResult(image: frame, settled: true, frames: frames, elapsed: clock.now - start)
            }
            pause = pause == .zero ? firstInterval : min(pause * 2, maxInterval)
        }
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
}
