import Dispatch

/// The phone's own serial queue, on which the `VirtualPhone` actor runs. Layout and rendering
/// (FreeType glyphs, filling a 1080×2400 frame, PNG encoding) are synchronous and CPU-heavy; on
/// Swift's cooperative pool, which has one thread per core, a few phones rendering at once would
/// hold every thread and stall unrelated tasks (timers, other test suites, the ADB server). A
/// serial dispatch queue is not part of that pool: the system gives it a thread of its own when it
/// has work, and the actor's isolation stays the same (one job at a time).
final class PhoneExecutor: SerialExecutor {
    let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
        queue.setSpecific(key: Self.key, value: ObjectIdentifier(self))
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// True when the caller runs on this executor's queue.
    var isCurrent: Bool {
        DispatchQueue.getSpecific(key: Self.key) == ObjectIdentifier(self)
    }

    static let key = DispatchSpecificKey<ObjectIdentifier>()
}
