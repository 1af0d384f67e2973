import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PlanSyncTestSupport
import Testing

/// `GET /` on a real server: a person who opens the server's address signs in to its pages.
@Suite("Home page")
struct HomePageTests {
    @Test func rootIsTheSignInPageOfThePages() async throws {
        let cluster = try Cluster()
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: cluster.server.url + "/"), timeout: .seconds(30))
        let page = String(buffer: try await response.body.collect(upTo: 1024 * 1024))
        #expect(response.status.code == 200)
        #expect(response.headers.first(name: "Content-Type")?.hasPrefix("text/html") == true)
        #expect(page.contains(#"<html lang="en" dir="ltr">"#))
        #expect(page.contains(#"<form method="post" action="/signin">"#))
        #expect(page.contains(#"<input type="password" name="token" id="token""#))
        #expect(!page.contains("<script"))
        #expect(page.utf8.count < 100_000)
    }
}
