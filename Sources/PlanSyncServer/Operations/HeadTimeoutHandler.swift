import Logging
import NIOCore
import NIOHTTPTypes

/// Closes a connection that has no request in progress and has not finished sending the next request's head
/// within `timeout`: from the moment it opens, and again from the end of each response. A client that trickles
/// its headers a byte at a time (slowloris) keeps an idle timer from firing; this one it cannot reset.
final class HeadTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let timeout: TimeAmount
    let logger: Logger
    private var timer: Scheduled<Void>?
    /// Requests whose head arrived and whose response has not ended.
    private var inFlight = 0

    init(timeout: TimeAmount, logger: Logger) {
        self.timeout = timeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            inFlight += 1
            disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            inFlight = max(0, inFlight - 1)
            if inFlight == 0 { arm(context) }
        }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext) {
        disarm()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let logger = self.logger
        let timeout = self.timeout
        timer = context.eventLoop.scheduleTask(in: timeout) {
            let context = loopBound.value
            logger.debug(
                "connection closed: no request head within the header timeout",
                metadata: ["client": "\(context.channel.remoteAddress?.ipAddress ?? "-")", "timeout": "\(timeout)"])
            context.close(promise: nil)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}
