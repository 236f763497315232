import Basics

/// Admission to the one engine: one generation runs, up to `limit` requests wait their turn in
/// arrival order, and one more is refused at once (the route answers 429). Taking a place
/// (`admit`) is separate from waiting for it (`wait`), so a request learns whether it is
/// refused before its answer starts. A waiter whose task is cancelled — its client went away —
/// leaves the line without taking a turn.
final class GenerationQueue: Sendable {
    /// The queue is full: this many requests are already waiting.
    struct Full: Error {
        var waiting: Int
    }

    /// A place in line. It gives itself back when dropped, so a request that never gets to run
    /// (its connection closed before the answer began) does not keep the engine.
    final class Ticket: Sendable {
        let id: Int
        private let queue: GenerationQueue

        fileprivate init(id: Int, queue: GenerationQueue) {
            self.id = id
            self.queue = queue
        }

        /// Gives the place back now: the engine goes to the next in line.
        func release() { queue.leave(id) }

        deinit { queue.leave(id) }
    }

    private struct Waiter {
        var id: Int
        /// Nil until the waiter awaits its turn.
        var continuation: CheckedContinuation<Void, any Error>?
    }

    private struct State {
        /// The ticket whose generation runs.
        var holder: Int?
        var line: [Waiter] = []
        var nextID = 0
    }

    /// How many requests may wait while one runs.
    let limit: Int
    private let state = Locked(State())

    init(limit: Int) {
        self.limit = max(0, limit)
    }

    /// Requests waiting now (not counting the one that runs).
    var waiting: Int { state.withLock { $0.line.count } }

    /// True while a request holds the engine.
    var isBusy: Bool { state.withLock { $0.holder != nil } }

    /// Takes a place: the engine at once when it is free, else the end of the line. Throws
    /// `Full` when `bounded` and `limit` requests already wait.
    func admit(bounded: Bool = true) throws(Full) -> Ticket {
        let admitted: Result<Int, Full> = state.withLock { s in
            if s.holder != nil, bounded, s.line.count >= limit { return .failure(Full(waiting: s.line.count)) }
            s.nextID += 1
            if s.holder == nil { s.holder = s.nextID } else { s.line.append(Waiter(id: s.nextID)) }
            return .success(s.nextID)
        }
        return Ticket(id: try admitted.get(), queue: self)
    }

    /// Returns when `ticket` holds the engine; throws `CancellationError` (and leaves the line)
    /// when the task is cancelled first.
    func wait(_ ticket: Ticket) async throws {
        let id = ticket.id
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let ready: Bool? = state.withLock { s in
                    if s.holder == id { return true }
                    guard let i = s.line.firstIndex(where: { $0.id == id }) else { return nil }
                    s.line[i].continuation = continuation
                    return false
                }
                switch ready {
                case true?: continuation.resume()
                case nil: continuation.resume(throwing: CancellationError())
                case false?: break
                }
            }
        } onCancel: {
            let waiter: Waiter? = state.withLock { s in
                guard let i = s.line.firstIndex(where: { $0.id == id }) else { return nil }
                return s.line.remove(at: i)
            }
            waiter?.continuation?.resume(throwing: CancellationError())
        }
    }

    /// Gives a place back: the holder hands the engine to the first waiter; a waiter leaves the
    /// line. Giving back twice does nothing.
    fileprivate func leave(_ id: Int) {
        let next: CheckedContinuation<Void, any Error>? = state.withLock { s in
            if s.holder == id {
                guard !s.line.isEmpty else {
                    s.holder = nil
                    return nil
                }
                let first = s.line.removeFirst()
                s.holder = first.id
                return first.continuation
            }
            s.line.removeAll { $0.id == id }
            return nil
        }
        next?.resume()
    }
}
