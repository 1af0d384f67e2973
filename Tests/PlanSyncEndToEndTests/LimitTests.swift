import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PlanSyncTestSupport
import Testing

@Suite("Limits")
struct LimitTests {
    /// Past its pull rate a token is answered 429 with Retry-After, and `plansync sync` gives up in one line
    /// when the wait is longer than it waits.
    @Test func pastItsRateATokenIsTold429AndWhen() async throws {
        let cluster = try Cluster(serverArguments: ["--pull-rate", "1/h", "--rate-burst", "1"])
        let token = try cluster.server.token(name: "bruno", role: "admin")
        let bruno = cluster.directory.file("bruno.sqlite")
        try expectSuccess(
            run("plansync", ["init", "--replica", bruno, "--server", cluster.server.url, "--token", token]))
        var statuses: [Int] = []
        var retryAfter: Int?
        for _ in 0..<2 {
            var request = HTTPClientRequest(url: cluster.server.url + "/v1/pull?since=0&limit=1")
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 24)
            statuses.append(Int(response.status.code))
            retryAfter = response.headers.first(name: "Retry-After").flatMap { Int($0) } ?? retryAfter
        }
        #expect(statuses == [200, 429])
        #expect((3000...3600).contains(retryAfter ?? 0), "Retry-After: \(retryAfter.map(String.init) ?? "none")")
        let refused = try await RawHTTP(base: cluster.server.url).send(.GET, "/v1/pull", token: token)
        #expect(refused.status == 429)
        #expect(refused.body.contains(#""error":"rate_limited""#), "\(refused.body)")
        let given = try cluster.plansync(bruno, "sync")
        #expect(given.status == 69, "\(given)")
        #expect(given.stderr.split(separator: "\n").count == 1, "\(given)")
        #expect(given.stderr.contains("is limiting this token's requests (rate limit); try again in "), "\(given)")
        #expect(given.stderr.contains("nothing was lost"), "\(given)")
    }

    /// A sync told to wait a few seconds (Retry-After) waits and then goes on to the end.
    @Test func aRateLimitedSyncWaitsAndGoesOn() async throws {
        let cluster = try Cluster(serverArguments: ["--pull-rate", "6/min", "--rate-burst", "1"], serverLog: "log")
        let token = try cluster.server.token(name: "alice", role: "admin")
        let alice = cluster.directory.file("alice.sqlite")
        try expectSuccess(
            run("plansync", ["init", "--replica", alice, "--server", cluster.server.url, "--token", token]))
        // Take the one pull the bucket holds: the sync's first pull is then refused with Retry-After of 10 s or less.
        #expect(try await RawHTTP(base: cluster.server.url).send(.GET, "/v1/pull", token: token).status == 200)
        try cluster.sync(alice)
        #expect(try cluster.dump(alice).contains("iasc-protection-policy/A.1/1"))
        cluster.server.stop()
        let log = try String(contentsOfFile: cluster.directory.file("log"), encoding: .utf8)
        let refusals = log.split(separator: "\n").filter { $0.contains("status=429") && $0.contains("principal=alice") }
        #expect(!refusals.isEmpty, "the sync was never refused, so it waited for nothing: \(log)")
    }

    /// 200 connections trickling a request head a byte a second are closed once the header timeout passes,
    /// and a sync made meanwhile succeeds.
    @Test func slowHeadersAreCutAndSyncsGoOn() async throws {
        let timeout = 5.0
        let cluster = try Cluster(serverArguments: ["--header-timeout", "\(timeout)"])
        let alice = try cluster.replica("alice")
        let opened = Date()
        let slow = try (0..<200).map { _ in try TrickleSocket(port: cluster.server.port) }
        let syncing = Task.detached { try cluster.plansync(alice, "sync") }
        let head = Array("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".utf8)
        let closedAt = await TrickleSocket.trickle(slow, bytes: head, for: timeout + 20, since: opened).compactMap {
            $0
        }
        let result = try await syncing.value
        try expectSuccess(result)
        #expect(closedAt.count == slow.count, "\(slow.count - closedAt.count) slow connection(s) still open")
        let latest = closedAt.max() ?? .infinity
        // Within the timeout and the time this loop takes to go round 200 sockets on a loaded machine.
        #expect(latest <= timeout + 10, "the last slow connection was closed after \(latest) s")
        #expect((closedAt.min() ?? 0) >= timeout - 0.1, "closed before the header timeout")
    }

    /// A request whose head came whole but whose body trickles a byte a second is cut after one 10-second
    /// window below the minimum body rate (100 bytes a second by default).
    @Test func aTrickledBodyIsCut() async throws {
        let cluster = try Cluster()
        let opened = Date()
        let socket = try TrickleSocket(port: cluster.server.port)
        let head =
            "POST /v1/push HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: 100000\r\n\r\n"
        #expect(head.utf8.allSatisfy(socket.send))
        let closedAfter = await TrickleSocket.trickle([socket], bytes: [UInt8(ascii: "{")], for: 30, since: opened)[0]
        let after = try #require(closedAfter, "a body trickled for 30 s was still being read")
        #expect(after >= 9.9 && after <= 25, "closed after \(after) s")
    }

    /// Past `--max-connections`, a new connection waits until one closes (here: idle ones cut by the header
    /// timeout), then is served.
    @Test func connectionsPastTheBoundWait() async throws {
        let cluster = try Cluster(serverArguments: ["--max-connections", "3", "--header-timeout", "3"])
        let opened = Date()
        let idle = try (0..<3).map { _ in try TrickleSocket(port: cluster.server.port) }
        // Accepted before the next one comes: the server accepts a few connections per read of its socket.
        try await Task.sleep(for: .milliseconds(500))
        let health = try await RawHTTP(base: cluster.server.url).send(.GET, "/health", token: nil)
        let served = Date().timeIntervalSince(opened)
        #expect(health.status == 200)
        // The three idle connections were accepted after `opened` and cut 3 s after that at the earliest.
        #expect(served >= 2.5, "served after \(served) s, while 3 connections were open")
        #expect(idle.contains { $0.isClosedByPeer() }, "served while the 3 idle connections were all open")
    }
}

/// A client socket that sends its request one byte at a time.
final class TrickleSocket: Sendable {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                connect(descriptor, raw, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { throw POSIXError(.ECONNREFUSED) }
    }

    /// Sends one byte; false once the connection is gone.
    func send(_ byte: UInt8) -> Bool {
        var byte = byte
        return Glibc.send(descriptor, &byte, 1, Int32(MSG_NOSIGNAL)) == 1
    }

    /// Whether the server closed its end (a read would return end of file or an error, without waiting).
    func isClosedByPeer() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }

    deinit { close(descriptor) }

    /// Sends `bytes` one a second on every socket (repeating the last) until each is closed by the server or
    /// `limit` seconds have passed; returns when each was found closed, in seconds after `started`, nil for one
    /// still open. On a thread of its own, so that a test pool busy with blocking work cannot delay its rounds.
    static func trickle(_ sockets: [TrickleSocket], bytes: [UInt8], for limit: TimeInterval, since started: Date)
        async -> [TimeInterval?]
    {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var closedAt = [TimeInterval?](repeating: nil, count: sockets.count)
                var round = 0
                while closedAt.contains(nil), Date().timeIntervalSince(started) < limit {
                    for (index, socket) in sockets.enumerated() where closedAt[index] == nil {
                        if !socket.send(bytes[min(round, bytes.count - 1)]) || socket.isClosedByPeer() {
                            closedAt[index] = Date().timeIntervalSince(started)
                        }
                    }
                    round += 1
                    Thread.sleep(forTimeInterval: 1)
                }
                for (index, socket) in sockets.enumerated() where closedAt[index] == nil && socket.isClosedByPeer() {
                    closedAt[index] = Date().timeIntervalSince(started)
                }
                continuation.resume(returning: closedAt)
            }
        }
    }
}
