import Logging
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request body arrives slower than `minimumRate` bytes a second over a whole
/// `window` (a body trickled a byte at a time). A 2G link moves a thousand bytes a second or more; a request
/// with no body ends at once and is not timed.
final class SlowBodyHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    let minimumRate: Int
    let window: TimeAmount
    let logger: Logger
    private var timer: RepeatedTask?
    /// Body bytes received in the current window.
    private var received = 0

    init(minimumRate: Int, window: TimeAmount = .seconds(10), logger: Logger) {
        self.minimumRate = minimumRate
        self.window = window
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: start(context)
        case .body(let buffer): received += buffer.readableBytes
        case .end: stop()
        }
        context.fireChannelRead(data)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    private func start(_ context: ChannelHandlerContext) {
        stop()
        received = 0
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let windowSeconds = Int(window.nanoseconds / 1_000_000_000)
        timer = context.eventLoop.scheduleRepeatedTask(initialDelay: window, delay: window) { _ in
            let (handler, context) = bound.value
            guard handler.received < handler.minimumRate * max(1, windowSeconds) else {
                handler.received = 0
                return
            }
            handler.logger.debug(
                "connection closed: request body slower than the minimum rate",
                metadata: [
                    "client": "\(context.channel.remoteAddress?.ipAddress ?? "-")",
                    "bytes": "\(handler.received)", "seconds": "\(windowSeconds)",
                ])
            handler.stop()
            context.close(promise: nil)
        }
    }

    private func stop() {
        timer?.cancel()
        timer = nil
    }
}
