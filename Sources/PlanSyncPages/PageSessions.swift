import Foundation
import PlanSyncCore
import Synchronization

/// The browsers signed in to the pages, kept in this process's memory: a restart signs everyone out, and
/// several instances behind a balancer need sticky sessions.
///
/// A session is a random 256-bit id (the `plansync_session` cookie) for a token, with a CSRF token of its own
/// that every form that writes carries. It ends at sign-out, after `idleLimit` without a request, or when the
/// host no longer knows its token.
public final class PageSessions: Sendable {
    /// One signed-in browser.
    struct Session: Sendable {
        let token: String
        let csrf: String
        var lastSeen: Date
        /// What the last write did, shown once on the next page.
        var notice: Notice?
    }

    public let idleLimit: TimeInterval
    private let sessions = Mutex<[String: Session]>([:])

    public init(idleLimit: TimeInterval = 12 * 60 * 60) {
        self.idleLimit = idleLimit
    }

    /// Opens a session for `token`, returning its id.
    func start(token: String, now: Date = Date()) -> String {
        let id = Secrets.randomHex()
        let session = Session(token: token, csrf: Secrets.randomHex(), lastSeen: now)
        sessions.withLock { sessions in
            sessions = sessions.filter { now.timeIntervalSince($0.value.lastSeen) < idleLimit }
            sessions[id] = session
        }
        return id
    }

    /// The live session `id` names, seen now; nil (and forgotten) when it expired.
    func session(_ id: String, now: Date = Date()) -> Session? {
        sessions.withLock { sessions in
            guard var session = sessions[id] else { return nil }
            guard now.timeIntervalSince(session.lastSeen) < idleLimit else {
                sessions[id] = nil
                return nil
            }
            session.lastSeen = now
            sessions[id] = session
            return session
        }
    }

    /// Keeps a notice for the session's next page.
    func post(_ notice: Notice, to id: String) {
        sessions.withLock { $0[id]?.notice = notice }
    }

    /// The notice waiting for the session's next page, taken so it shows once.
    func takeNotice(of id: String) -> Notice? {
        sessions.withLock { sessions in
            defer { sessions[id]?.notice = nil }
            return sessions[id]?.notice
        }
    }

    func end(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

}

/// One line shown after a write: what it did, or why nothing was done.
struct Notice: Sendable, Hashable {
    enum Kind: Sendable, Hashable { case flash, error }

    var kind: Kind
    /// In the page's language.
    var text: String
    /// The engine's own words (English), shown isolated after the text.
    var detail: String?

    static func flash(_ text: String, _ detail: String? = nil) -> Notice {
        Notice(kind: .flash, text: text, detail: detail)
    }
    static func error(_ text: String, _ detail: String? = nil) -> Notice {
        Notice(kind: .error, text: text, detail: detail)
    }
}
