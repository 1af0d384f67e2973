import Foundation
import PlanSyncCore
import Testing

@testable import PlanSyncPages

@Suite("Page sessions, forms and links")
struct PageSessionTests {
    @Test func aSessionIsARandom256BitIdThatExpiresWhenIdle() {
        let sessions = PageSessions(idleLimit: 60)
        let start = Date(timeIntervalSince1970: 1_000_000)
        let id = sessions.start(token: "ps_secret", now: start)
        #expect(id.count == 64 && id.allSatisfy(\.isHexDigit))
        #expect(sessions.start(token: "ps_secret", now: start) != id)
        let session = sessions.session(id, now: start.addingTimeInterval(59))
        #expect(session?.token == "ps_secret")
        #expect(session?.csrf.count == 64 && session?.csrf != id)
        // Seen at 59 s, so alive until 119 s; gone after, and forgotten.
        #expect(sessions.session(id, now: start.addingTimeInterval(118)) != nil)
        #expect(sessions.session(id, now: start.addingTimeInterval(179)) == nil)
        #expect(sessions.session(id, now: start.addingTimeInterval(180)) == nil)
        #expect(sessions.session("not-a-session") == nil)
    }

    @Test func aNoticeShowsOnceAndSignOutEndsTheSession() {
        let sessions = PageSessions()
        let id = sessions.start(token: "t")
        sessions.post(.flash("Report saved", "A/report/AFG/2017-Q1"), to: id)
        #expect(sessions.takeNotice(of: id)?.detail == "A/report/AFG/2017-Q1")
        #expect(sessions.takeNotice(of: id) == nil)
        sessions.end(id)
        #expect(sessions.session(id) == nil)
    }

    @Test(arguments: [
        ("a", "a", true), ("abc", "abd", false), ("abc", "ab", false), ("", "", true), ("ps_1", "ps_1 ", false),
    ])
    func secretsMatchOnlyWhenEqual(a: String, b: String, equal: Bool) {
        #expect(Secrets.equal(a, b) == equal)
    }

    @Test func aFormIsDecodedAsBrowsersEncodeIt() throws {
        let form = try PageForm(encoded: "value=caf%C3%A9+au+lait%0D%0Anext&csrf=ab&empty=&value2=a%3Db&value2=last&flag")
        #expect(form["value"] == "café au lait\r\nnext")
        #expect(form.text("value") == "café au lait\nnext")
        #expect(form["empty"] == "" && form.text("empty") == nil)
        #expect(form["value2"] == "last")
        #expect(form["flag"] == "")
        #expect(form["missing"] == nil)
    }

    @Test(arguments: [
        ("csrf=ab&narrative=50%+done", "'narrative'"), ("narrative=%E9t%E9", "'narrative'"),
        ("csrf=ab&na%zzme=x", "a field name"),
    ])
    func aFieldThatDoesNotDecodeIsRefusedByName(encoded: String, named: String) {
        #expect {
            try PageForm(encoded: encoded)
        } throws: { error in
            let refusal = error as? PageRefusal
            return refusal.map { "\($0.status)" }?.hasPrefix("400") == true && refusal?.description.contains(named) == true
                && refusal?.description.contains("\n") == false
        }
    }

    @Test(arguments: [
        ("/plans", "/plans"), ("/plans?period=2017-Q1", "/plans?period=2017-Q1"), ("//elsewhere.example", nil),
        ("/\\elsewhere.example", nil), ("https://elsewhere.example/", nil), ("/a\r\nSet-Cookie: x=1", nil), ("", nil),
        ("/\t/elsewhere.example", nil), ("/\t\\elsewhere.example", nil), ("/plans\u{7f}", nil),
    ])
    func onlyPathsOnThisSiteAreGoneBackTo(path: String, expected: String?) {
        #expect(PageRoutes.localPath(path) == expected)
    }

    @Test func activityLinksKeepTheirSegments() {
        #expect(PageRoutes.activityHref("iasc-protection-policy/A.2") == "/plans/iasc-protection-policy/activity/A.2")
        #expect(PageRoutes.activityHref("p/A.1/2") == "/plans/p/activity/A.1/2")
        #expect(PageRoutes.pathSegment("a b/c") == "a%20b%2Fc")
    }

    @Test func everyWordIsWrittenInEveryLanguage() {
        for language in PageStrings.languages {
            let words = PageStrings.table[language] ?? [:]
            let missing = PageStrings.Label.allCases.filter { words[$0] == nil }
            #expect(missing.isEmpty, "\(language) lacks \(missing)")
        }
        #expect(PageStrings(language: "de").language == "en")
        #expect(PageStrings(language: "ar").isRightToLeft)
    }
}
