import NIOConcurrencyHelpers
import NIOCore

/// The last handler of a pipeline whose channel has auto-read off: it asks the socket for more
/// only while somebody waits for a message, so back-pressure reaches the peer.
final class PullInboundHandler<Message: Sendable>: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = Message

    // All state is touched on the channel's event loop only.
    private var buffered: [Message] = []
    private var bufferedStart = 0
    private var waiter: EventLoopPromise<Message?>?
    private var ended: Result<Void, Error>?
    private var context: ChannelHandlerContext?
    /// A read asked for before the channel is active would be lost, so it waits for channelActive.
    private var active = false

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        active = context.channel.isActive
    }

    func channelActive(context: ChannelHandlerContext) {
        active = true
        if waiter != nil { context.read() }
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        finish(.success(()))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = unwrapInboundIn(data)
        if let waiter {
            self.waiter = nil
            waiter.succeed(message)
        } else {
            buffered.append(message)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // A read that produced only part of a packet: keep reading while someone waits.
        if waiter != nil { context.read() }
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
        if ended == nil { ended = result }
        if let waiter {
            self.waiter = nil
            switch result {
            case .success: waiter.succeed(nil)
            case .failure(let error): waiter.fail(error)
            }
        }
    }

    /// Must be called on the event loop.
    func next(eventLoop: EventLoop) -> EventLoopFuture<Message?> {
        if bufferedStart < buffered.count {
            let message = buffered[bufferedStart]
            bufferedStart += 1
            if bufferedStart == buffered.count {
                buffered.removeAll(keepingCapacity: true)
                bufferedStart = 0
            }
            return eventLoop.makeSucceededFuture(message)
        }
        if let ended {
            switch ended {
            case .success: return eventLoop.makeSucceededFuture(nil)
            case .failure(let error): return eventLoop.makeFailedFuture(error)
            }
        }
        if let waiter { return waiter.futureResult }  // a second reader shares the first's result
        let promise = eventLoop.makePromise(of: Message?.self)
        waiter = promise
        if active { context?.read() }
        return promise.futureResult
    }
}
