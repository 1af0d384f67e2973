import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP relay on 127.0.0.1 that forwards to the server and counts the bytes each way: what a sync really
/// puts on the wire, HTTP headers and gzip framing included (TCP/IP headers excluded).
///
/// Blocking sockets, two threads per connection. The sync client keeps one or two connections alive, so the
/// thread count stays small; threads rather than tasks because every call here blocks.
final class CountingProxy: Sendable {
    /// Bytes sent by the client (requests) and by the server (responses) since the proxy started.
    struct Counts: Sendable, Equatable {
        var up = 0
        var down = 0
        var total: Int { up + down }

        static func - (lhs: Counts, rhs: Counts) -> Counts {
            Counts(up: lhs.up - rhs.up, down: lhs.down - rhs.down)
        }
    }

    let port: Int
    private let targetPort: Int
    private let listener: Int32
    private let state = Locked(State())

    private struct State: Sendable {
        var counts = Counts()
        var open: Set<Int32> = []
        var stopped = false
    }

    init(forwardingTo targetPort: Int) throws {
        self.targetPort = targetPort
        (listener, port) = try Self.listen()
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    var counts: Counts { state.withLock { $0.counts } }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Stops accepting and cuts every relayed connection.
    func stop() {
        let sockets = state.withLock { state in
            state.stopped = true
            return state.open
        }
        shutdown(listener, Int32(SHUT_RDWR))
        for socket in sockets { shutdown(socket, Int32(SHUT_RDWR)) }
    }

    // MARK: - Relaying

    private func acceptLoop() {
        defer { close(listener) }
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR, !state.withLock({ $0.stopped }) { continue }
                return
            }
            let server = connectToTarget()
            guard server >= 0 else {
                close(client)
                continue
            }
            let accepted = state.withLock { state in
                guard !state.stopped else { return false }
                state.open.formUnion([client, server])
                return true
            }
            guard accepted else {
                close(client)
                close(server)
                return
            }
            for socket in [client, server] { Self.noDelay(socket) }
            let connection = RelayedConnection(client: client, server: server)
            Thread.detachNewThread { [self] in relay(from: client, to: server, up: true, connection) }
            Thread.detachNewThread { [self] in relay(from: server, to: client, up: false, connection) }
        }
    }

    /// Copies one direction until end of stream, counting each chunk before it is forwarded, so the count is
    /// complete by the time the other side has received the bytes.
    private func relay(from source: Int32, to destination: Int32, up: Bool, _ connection: RelayedConnection) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let received = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            if received < 0, errno == EINTR { continue }
            guard received > 0 else { break }
            state.withLock { state in
                if up { state.counts.up += received } else { state.counts.down += received }
            }
            var offset = 0
            while offset < received {
                let sent = buffer.withUnsafeBytes {
                    send(destination, $0.baseAddress! + offset, received - offset, Int32(MSG_NOSIGNAL))
                }
                if sent < 0, errno == EINTR { continue }
                guard sent > 0 else { break }
                offset += sent
            }
            if offset < received { break }
        }
        shutdown(destination, Int32(SHUT_WR))
        if connection.finishOneDirection() {
            state.withLock { state in
                state.open.remove(connection.client)
                state.open.remove(connection.server)
            }
            close(connection.client)
            close(connection.server)
        }
    }

    /// A listening socket on 127.0.0.1 and the free port it got.
    private static func listen() throws -> (Int32, Int) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw ProxyError("socket: errno \(errno)") }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, Glibc.listen(listener, 64) == 0 else {
            close(listener)
            throw ProxyError("bind/listen on 127.0.0.1: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        return (listener, Int(UInt16(bigEndian: address.sin_port)))
    }

    private func connectToTarget() -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return -1 }
        var address = Self.loopback(port: targetPort)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socket)
            return -1
        }
        return socket
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// Small requests go out at once rather than waiting for an acknowledgement (Nagle), as they would
    /// between the client and the server directly.
    private static func noDelay(_ socket: Int32) {
        var yes: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
    }
}

/// The two sockets of one relayed connection; closed once both directions have ended.
private final class RelayedConnection: Sendable {
    let client: Int32
    let server: Int32
    private let finished = Locked(0)

    init(client: Int32, server: Int32) {
        self.client = client
        self.server = server
    }

    /// Records that one direction ended; true for the second.
    func finishOneDirection() -> Bool {
        finished.withLock { count in
            count += 1
            return count == 2
        }
    }
}

struct ProxyError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
