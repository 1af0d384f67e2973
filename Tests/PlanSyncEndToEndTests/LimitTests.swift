import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PlanSyncTestSupport
import Testing

@Suite("Limits")
struct LimitTests {
    /// Past its pull rate a token is answered 429 with Retry-After; `plansync sync` waits that long and goes
    /// on, and gives up in one line when the wait is longer than it waits.
    @Test func rateLimitedSyncWaitsOrSaysWhen() async throws {
        let cluster = try Cluster(serverArguments: ["--pull-rate", "1/s", "--rate-burst", "1"])
        let token = try cluster.server.token(name: "alice", role: "admin")
        let alice = cluster.directory.file("alice.sqlite")
        try expectSuccess(
            run("plansync", ["init", "--replica", alice, "--server", cluster.server.url, "--token", token]))
        let http = RawHTTP(base: cluster.server.url)
        var statuses: [Int] = []
        var retryAfter: String?
        for _ in 0..<3 {
            var request = HTTPClientRequest(url: cluster.server.url + "/v1/pull?since=0&limit=1")
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 24)
            statuses.append(Int(response.status.code))
            if response.status.code == 429 { retryAfter = response.headers.first(name: "Retry-After") }
        }
        #expect(statuses.first == 200 && statuses.last == 429, "\(statuses)")
        #expect(retryAfter == "1")
        let refused = try await http.send(.GET, "/v1/pull?since=0&limit=1", token: token)
        #expect(refused.status == 429)
        #expect(refused.body.contains(#""error":"rate_limited""#), "\(refused.body)")
        // The bucket is empty now: the sync's pulls are refused until it waits the second it is told.
        let started = Date()
        let sync = try cluster.plansync(alice, "sync")
        try expectSuccess(sync)
        #expect(Date().timeIntervalSince(started) >= 0.9, "the sync did not wait: \(sync)")

        let strict = try Cluster(serverArguments: ["--pull-rate", "1/h", "--rate-burst", "1"])
        let brunoToken = try strict.server.token(name: "bruno", role: "admin")
        let bruno = strict.directory.file("bruno.sqlite")
        try expectSuccess(
            run("plansync", ["init", "--replica", bruno, "--server", strict.server.url, "--token", brunoToken]))
        // Its one pull of the hour.
        #expect(try await RawHTTP(base: strict.server.url).send(.GET, "/v1/pull", token: brunoToken).status == 200)
        let given = try strict.plansync(bruno, "sync")
        #expect(given.status == 69, "\(given)")
        #expect(given.stderr.split(separator: "\n").count == 1, "\(given)")
        #expect(
            given.stderr.contains("is limiting this token's requests (rate limit); try again in 3600 s"), "\(given)")
        #expect(given.stderr.contains("nothing was lost"), "\(given)")
    }

    /// 200 connections trickling a request head a byte a second are closed once the header timeout passes,
    /// and a sync made meanwhile succeeds.
    @Test func slowHeadersAreCutAndSyncsGoOn() async throws {
        let timeout = 3.0
        let cluster = try Cluster(serverArguments: ["--header-timeout", "\(timeout)"])
        let alice = try cluster.replica("alice")
        let slow = try (0..<200).map { _ in try TrickleSocket(port: cluster.server.port) }
        let opened = Date()
        let syncing = Task.detached { try cluster.plansync(alice, "sync") }
        let head = Array("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".utf8)
        var closedAt: [Int: TimeInterval] = [:]
        var index = 0
        while closedAt.count < slow.count, Date().timeIntervalSince(opened) < timeout + 10 {
            for (number, socket) in slow.enumerated() where closedAt[number] == nil {
                if !socket.send(head[min(index, head.count - 1)]) || socket.isClosedByPeer() {
                    closedAt[number] = Date().timeIntervalSince(opened)
                }
            }
            index += 1
            try await Task.sleep(for: .seconds(1))
        }
        let result = try await syncing.value
        try expectSuccess(result)
        #expect(closedAt.count == slow.count, "\(slow.count - closedAt.count) slow connection(s) still open")
        let latest = closedAt.values.max() ?? .infinity
        #expect(latest <= timeout + 3, "the last slow connection was closed after \(latest) s")
        #expect((closedAt.values.min() ?? 0) >= timeout - 1, "closed before the header timeout")
    }

    /// A request whose head came whole but whose body trickles a byte a second is cut after one 10-second
    /// window below the minimum body rate (100 bytes a second by default).
    @Test func aTrickledBodyIsCut() async throws {
        let cluster = try Cluster()
        let socket = try TrickleSocket(port: cluster.server.port)
        let head =
            "POST /v1/push HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: 100000\r\n\r\n"
        #expect(head.utf8.allSatisfy(socket.send))
        let opened = Date()
        var closedAfter: TimeInterval?
        while closedAfter == nil, Date().timeIntervalSince(opened) < 30 {
            if !socket.send(UInt8(ascii: "{")) || socket.isClosedByPeer() {
                closedAfter = Date().timeIntervalSince(opened)
            }
            try await Task.sleep(for: .seconds(1))
        }
        let after = try #require(closedAfter, "a body trickled for 30 s was still being read")
        #expect(after >= 9 && after <= 22, "closed after \(after) s")
    }

    /// Past `--max-connections`, a new connection waits until one closes (here: idle ones cut by the header
    /// timeout), then is served.
    @Test func connectionsPastTheBoundWait() async throws {
        let cluster = try Cluster(serverArguments: ["--max-connections", "3", "--header-timeout", "2"])
        let idle = try (0..<3).map { _ in try TrickleSocket(port: cluster.server.port) }
        try await Task.sleep(for: .milliseconds(300))
        let started = Date()
        let health = try await RawHTTP(base: cluster.server.url).send(.GET, "/health", token: nil)
        let waited = Date().timeIntervalSince(started)
        #expect(health.status == 200)
        #expect(waited >= 1.2, "served after \(waited) s, while 3 connections were open")
        #expect(idle.allSatisfy { $0.isClosedByPeer() })
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
}
