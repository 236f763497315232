/// Seconds spent in each phase of a step. `capture` is the whole observation (waiting for the
/// screen to settle, the screenshot, the foreground app); `settle` is the wait part of it.
public struct StepTimings: Sendable, Equatable, Codable {
    public var capture: Double = 0
    public var model: Double = 0
    public var firstText: Double?
    public var act: Double = 0
    public var settle: Double = 0

    public init(capture: Double = 0, model: Double = 0, firstText: Double? = nil, act: Double = 0, settle: Double = 0) {
        self.capture = capture
        self.model = model
        self.firstText = firstText
        self.act = act
        self.settle = settle
    }

    enum CodingKeys: String, CodingKey {
        case capture, model, act, settle
        case firstText = "first_text"
    }
}
