import Synchronization

/// A value several threads or tasks share, behind a `Mutex`: the one lock box for state that
/// closures capture (a `Mutex` itself cannot be captured, being non-copyable).
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: Value) { mutex = Mutex(value) }

    /// Runs `body` with the value, holding the lock; keep it short and never await inside.
    public func withLock<Result: Sendable>(_ body: (inout sending Value) throws -> sending Result) rethrows -> sending Result {
        try mutex.withLock(body)
    }

    /// The value now.
    public var value: Value { mutex.withLock { $0 } }

    /// Replaces the value.
    public func set(_ newValue: Value) { mutex.withLock { $0 = newValue } }

    /// Sets the value to `newValue` and returns what it was.
    public func exchange(_ newValue: Value) -> Value {
        mutex.withLock { value in
            defer { value = newValue }
            return value
        }
    }
}
