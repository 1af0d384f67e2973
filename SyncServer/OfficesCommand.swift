import ArgumentParser
import Foundation
import PlanSyncServer

/// `plansync-server offices`: which offices synced when, so the central team sees who has not.
struct Offices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List each office, its replicas and when they last synced (works while the server runs).")

    @OptionGroup var storage: StoreOptions
    @Flag(help: "Print JSON: one object per office with its replicas; times in ISO 8601 (UTC), null for never.")
    var json = false

    func run() async throws {
        let offices = OfficeActivity.offices(from: try await storage.existingStore().syncActivity())
        if json {
            let objects: [[String: Any]] = offices.map { office in
                [
                    "office": office.office, "lastSync": Self.time(office.lastSync) ?? NSNull(),
                    "replicas": office.replicas.map { replica in
                        [
                            "replica": replica.replica, "token": replica.token,
                            "lastSync": Self.time(replica.lastSync) ?? NSNull(),
                        ] as [String: Any]
                    },
                ]
            }
            let text = try JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: text, as: UTF8.self))
            return
        }
        guard !offices.isEmpty else {
            print("no office tokens (plansync-server token create --role office --office CODE …)")
            return
        }
        let width = offices.map(\.office.count).max() ?? 0
        for office in offices {
            print(
                office.office.padding(toLength: width, withPad: " ", startingAt: 0) + "  last sync "
                    + (Self.time(office.lastSync) ?? "never"))
            for replica in office.replicas {
                print("  \(replica.replica)  \(replica.token)  \(Self.time(replica.lastSync) ?? "never")")
            }
        }
    }

    /// Milliseconds since 1970 as ISO 8601 in UTC, to the second.
    static func time(_ milliseconds: UInt64?) -> String? {
        milliseconds.map { Date(timeIntervalSince1970: Double($0) / 1000).ISO8601Format() }
    }
}
