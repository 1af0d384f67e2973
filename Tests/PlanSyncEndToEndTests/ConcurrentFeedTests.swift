import Foundation
import PlanSyncTestSupport
import Synchronization
import Testing

/// The change feed under concurrent commits (docs/PROTOCOL.md, "Several server instances"): four instances on
/// one database, eight replicas pushing at once for a while, two replicas that only pull, continuously. A
/// puller whose cursor passed a sequence must never miss a change numbered below it that committed later.
///
/// This test fails when the feed's ordering safeguard is removed: with the counter row read without its lock
/// (`FOR UPDATE`) and sequences taken from a PostgreSQL sequence instead, pushes commit out of sequence order
/// and the pullers' dumps lack changes the others hold.
@Suite(
    "PostgreSQL change feed under concurrent commits",
    .enabled(if: TestDatabase.enabled, Comment(rawValue: TestDatabase.skipReason)))
struct ConcurrentFeedTests {
    static let pushers = 8
    static let rounds = 6
    static let recordsPerPush = 4

    @Test func pullersMissNoChangeWhenPushesCommitConcurrently() throws {
        let instances = try Instances(4)
        let ids = try instances.activityIDs()
        try #require(ids.count >= Self.pushers * Self.recordsPerPush + 1)
        let shared = ids[Self.pushers * Self.recordsPerPush]
        let pushers = try (0..<Self.pushers).map { index in
            try instances.replica("pusher\(index)", through: instances[index % 4].url).path
        }
        let pullers = try (0..<2).map { index in
            try instances.replica("puller\(index)", role: "viewer", through: instances[(index + 1) % 4].url).path
        }
        for replica in pushers + pullers { try expectSuccess(instances.plansync(replica, "sync")) }

        let started = Date()
        let finished = Atomic(false)
        let pulls = Atomic(0)
        let pushersDone = Atomic(0)
        // Two threads pull until the pushers are done; eight push their own records and one they all share.
        _ = try concurrently(Self.pushers + 2) { worker in
            if worker >= Self.pushers {
                let puller = pullers[worker - Self.pushers]
                while !finished.load(ordering: .acquiring) {
                    try expectSuccess(instances.plansync(puller, "sync"))
                    pulls.add(1, ordering: .relaxed)
                }
                return
            }
            defer {
                if pushersDone.add(1, ordering: .relaxed).newValue == Self.pushers {
                    finished.store(true, ordering: .releasing)
                }
            }
            for round in 0..<Self.rounds {
                for record in 0..<Self.recordsPerPush {
                    let id = ids[worker * Self.recordsPerPush + record]
                    try expectSuccess(instances.plansync(pushers[worker], "set", id, "comment", "round \(round)"))
                }
                try expectSuccess(
                    instances.plansync(pushers[worker], "set", shared, "comment", "pusher \(worker) round \(round)"))
                try expectSuccess(instances.plansync(pushers[worker], "sync"))
            }
        }
        let seconds = Date().timeIntervalSince(started)
        print(
            "concurrent feed: \(Self.pushers * Self.rounds) pushes of \(Self.recordsPerPush + 1) records and "
                + "\(pulls.load(ordering: .relaxed)) pulls through 4 instances in \(String(format: "%.1f", seconds)) s")

        // Every pusher syncs once more so the pushers hold everything; the pullers pull once more, from their
        // cursors: what they skipped while pulling would stay missing.
        for replica in pushers { try expectSuccess(instances.plansync(replica, "sync")) }
        for replica in pullers { try expectSuccess(instances.plansync(replica, "sync")) }
        let fresh = try instances.replica("fresh", role: "viewer", through: instances[3].url).path
        try expectSuccess(instances.plansync(fresh, "sync"))
        let server = try instances.dump(fresh)
        for replica in pushers + pullers {
            #expect(try instances.dump(replica) == server, "\(replica) differs from the database")
        }
    }
}
