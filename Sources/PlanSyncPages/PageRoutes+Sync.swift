import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore

extension PageRoutes {
    /// "Sync now" on `plansync ui`: the same sync as `plansync sync`, its one-line summary shown; with the
    /// server out of reach, its one-line failure (the pages go on working offline).
    func syncNow(_ visit: PageVisit, _ form: PageForm) async throws -> WriteOutcome {
        let back =
            Self.localPath(form["back"]) ?? Self.localPath(visit.request.headers[.referer].flatMap(Self.pathOf))
            ?? "/plans"
        guard let sync = host.sync else {
            throw WriteRefusal(
                back: back, notice: .error(visit.strings[.refused], "these pages run on the server: nothing to sync"))
        }
        do {
            return WriteOutcome(back: back, notice: .flash(visit.strings[.syncNow], try await sync()))
        } catch {
            throw WriteRefusal(back: back, notice: .error(visit.strings[.syncNow], Self.line(error)))
        }
    }

    /// The path and query of a same-site URL (a `Referer`).
    static func pathOf(_ url: String) -> String? {
        guard let scheme = url.range(of: "://") else { return nil }
        let rest = url[scheme.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return "/" }
        return String(rest[slash...])
    }
}
