import NIOCore
import Synchronization

/// The last handler of a pipeline whose channel has auto-read off: it reads ahead only while
/// fewer than `readAhead` messages wait to be taken, so back-pressure still reaches the peer,
/// and `next()` takes a waiting message without a trip to the event loop.
final class PullInboundHandler<Message: Sendable>: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = Message

    /// Messages read before anyone asked: enough to overlap the next socket read with the
    /// consumer's work, few enough that a slow consumer stops the reading.
    let readAhead: Int

    /// What the event loop and `next()` share.
    private struct Shared {
        var buffered: [Message] = []
        var bufferedStart = 0
        var waiter: CheckedContinuation<Message?, Error>?
        var ended: Result<Void, Error>?
        /// A socket read is asked for and has not completed: no need to ask again.
        var reading = false
        var waiting: Int { buffered.count - bufferedStart }
    }
    private let shared = Mutex(Shared())

    // The event loop's own.
    private var context: ChannelHandlerContext?
    private var eventLoop: EventLoop?
    /// A read asked for before the channel is active would be lost, so it waits for channelActive.
    private var active = false

    init(readAhead: Int = 2) {
        self.readAhead = max(1, readAhead)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        eventLoop = context.eventLoop
        active = context.channel.isActive
        if active { startRead(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        active = true
        startRead(context)
        context.fireChannelActive()
    }

    private func startRead(_ context: ChannelHandlerContext) {
        shared.withLock { $0.reading = true }
        context.read()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        finish(.success(()))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = unwrapInboundIn(data)
        let taker: CheckedContinuation<Message?, Error>? = shared.withLock { shared in
            if let waiter = shared.waiter {
                shared.waiter = nil
                return waiter
            }
            shared.buffered.append(message)
            return nil
        }
        taker?.resume(returning: message)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Read on while few messages wait (a read may also have produced only part of one).
        let more = shared.withLock { shared in
            shared.reading = shared.ended == nil && shared.waiting < readAhead
            return shared.reading
        }
        if more { context.read() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.success(()))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        finish(.failure(error))
        context.close(promise: nil)
    }


    private func finish(_ result: Result<Void, Error>) {
        let taker: CheckedContinuation<Message?, Error>? = shared.withLock { shared in
            if shared.ended == nil { shared.ended = result }
            defer { shared.waiter = nil }
            return shared.waiter
        }
        guard let taker else { return }
        switch result {
        case .success: taker.resume(returning: nil)
        case .failure(let error): taker.resume(throwing: error)
        }
    }

    /// Asks the socket for more, from any thread, unless a read is already under way.
    private func requestRead() {
        guard let eventLoop else { return }
        let ask = shared.withLock { shared in
            guard !shared.reading, shared.ended == nil else { return false }
            shared.reading = true
            return true
        }
        guard ask else { return }
        eventLoop.execute {
            if self.active, let context = self.context { context.read() } else { self.shared.withLock { $0.reading = false } }
        }
    }

    private enum Taken { case message(Message, readMore: Bool), ended(Result<Void, Error>), waiting, busy }

    /// The next message; nil once the channel closed. One caller at a time.
    func next() async throws -> Message? {
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Message?, Error>) in
            let taken: Taken = shared.withLock { shared in
                if shared.bufferedStart < shared.buffered.count {
                    let message = shared.buffered[shared.bufferedStart]
                    shared.bufferedStart += 1
                    if shared.bufferedStart == shared.buffered.count {
                        shared.buffered.removeAll(keepingCapacity: true)
                        shared.bufferedStart = 0
                    }
                    return .message(message, readMore: shared.waiting < readAhead && shared.ended == nil)
                }
                if let ended = shared.ended { return .ended(ended) }
                if shared.waiter != nil { return .busy }
                shared.waiter = continuation
                return .waiting
            }
            switch taken {
            case .message(let message, let readMore):
                continuation.resume(returning: message)
                if readMore { requestRead() }
            case .ended(.success):
                continuation.resume(returning: nil)
            case .ended(.failure(let error)):
                continuation.resume(throwing: error)
            case .waiting:
                requestRead()
            case .busy:
                continuation.resume(throwing: ADBError.invalidArgument("two readers on one connection"))
            }
        }
    }
}
