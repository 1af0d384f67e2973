import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PlanSyncTestSupport
import Testing

/// `GET /` on a real server: a person who opens the server's address learns what it is and where to read on.
@Suite("Home page")
struct HomePageTests {
    @Test func rootSaysWhatTheServerIsAndLinksHealth() async throws {
        let cluster = try Cluster()
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: cluster.server.url + "/"), timeout: .seconds(30))
        let page = String(buffer: try await response.body.collect(upTo: 1024 * 1024))
        #expect(response.status.code == 200)
        #expect(response.headers.first(name: "Content-Type")?.hasPrefix("text/html") == true)
        #expect(page.contains("PlanSync sync server"))
        #expect(page.contains("protocol versions 1 to 2"))
        #expect(page.contains(#"href="/health""#))
        #expect(page.contains("docs/PROTOCOL.md"))
        #expect(!page.contains("<script"))
        #expect(page.utf8.count < 2048)
    }
}
