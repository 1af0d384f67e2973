import PlanSyncClient
import Testing

@Suite("Request sizes adapt to the link")
struct AdaptiveSizeTests {
    @Test func startsModestWithinTheServersLimits() {
        #expect(AdaptiveSize.push().next == 50)
        #expect(AdaptiveSize.push().bounds == 1...2_000)
        #expect(AdaptiveSize.pull().next == 100)
        #expect(AdaptiveSize.pull().bounds == 1...5_000)
        // A ceiling set lower (a test's tiny batches) is kept, and is where it starts.
        #expect(AdaptiveSize.push(ceiling: 2).next == 2)
        #expect(AdaptiveSize.pull(ceiling: 50_000).bounds == 1...5_000)
    }

    @Test func aSlowLinkShrinksTheBatch() {
        // 32 kbit/s (4 kB/s) and a 1 s round trip: 50 records of 1 kB take 13.5 s; 10 s holds 37 of them.
        var size = AdaptiveSize.push()
        size.completed(records: 50, bytes: 50_000, elapsed: .milliseconds(13_500))
        #expect(size.next == 37)
    }

    @Test func aFastLinkGrowsItFourfoldAtATimeUpToTheLimit() {
        var size = AdaptiveSize.push()
        var sizes: [Int] = []
        for _ in 0..<4 {
            size.completed(records: size.next, bytes: size.next * 300, elapsed: .milliseconds(size.next))
            sizes.append(size.next)
        }
        #expect(sizes == [200, 800, 2_000, 2_000])
    }

    @Test func aFailureHalvesItAndGrowthIsSlowAfterwards() {
        var size = AdaptiveSize.push()
        size.completed(records: 50, elapsed: .milliseconds(50))
        #expect(size.next == 200)
        size.failed(records: 200)
        #expect(size.next == 100)
        size.completed(records: 100, elapsed: .milliseconds(10))
        #expect(size.next == 125)
        // A failure of a request smaller than the size halves what was tried.
        size.failed(records: 10)
        #expect(size.next == 5)
    }

    @Test func boundsHold() {
        var size = AdaptiveSize.push()
        for _ in 0..<10 { size.failed(records: size.next) }
        #expect(size.next == 1)
        // One record that takes a minute: still one record.
        size.completed(records: 1, elapsed: .seconds(60))
        #expect(size.next == 1)
        // Large records: the body stays under 4 MiB (the server takes 16) whatever the link.
        var large = AdaptiveSize.push()
        large.completed(records: 50, bytes: 50 * 102_400, elapsed: .seconds(1))
        #expect(large.next == 40)
        #expect(Double(large.next) * 102_400 <= 4 * 1_048_576)
    }

    @Test func aShortRequestDoesNotResizeIt() {
        // The last three queued records took 5 s of round trips: that says nothing of 50.
        var size = AdaptiveSize.push()
        size.completed(records: 3, bytes: 900, elapsed: .seconds(5))
        #expect(size.next == 50)
        #expect(size.bytesPerRecord == 300)
    }

    /// A modelled 32 kbit/s link with 1 s round trips and 800-byte records: requests settle at ~10 s each.
    @Test func settlesNearTheTargetOnAModelledLink() {
        var size = AdaptiveSize.push()
        var durations: [Double] = []
        for _ in 0..<6 {
            let seconds = 1 + Double(size.next) * 800 / 4_000
            durations.append(seconds)
            size.completed(records: size.next, bytes: size.next * 800, elapsed: .milliseconds(Int(seconds * 1000)))
        }
        #expect(size.next == 45)
        #expect(durations.dropFirst().allSatisfy { $0 <= 10.5 }, "\(durations)")
    }

    /// The same link, cut whenever a request runs past 6 s: sizes fall below that and every record gets through,
    /// never with more failures in a row than a sync retries.
    @Test func aLinkThatDropsEverySixSecondsStillCarriesEverything() {
        var size = AdaptiveSize.push()
        var left = 500
        var failuresInARow = 0
        var worst = 0
        var requests = 0
        while left > 0, requests < 200 {
            requests += 1
            let records = min(size.next, left)
            let seconds = 1 + Double(records) * 800 / 4_000
            if seconds > 6 {
                size.failed(records: records)
                failuresInARow += 1
                worst = max(worst, failuresInARow)
            } else {
                size.completed(records: records, bytes: records * 800, elapsed: .milliseconds(Int(seconds * 1000)))
                left -= records
                failuresInARow = 0
            }
        }
        #expect(left == 0)
        #expect(worst <= RetryPolicy().delays.count)
        // 25 records fit between drops; the size stays at most a quarter over that.
        #expect(size.next <= 31)
    }
}

@Suite("A request's deadline grows with its size")
struct RequestDeadlineTests {
    @Test func beforeAnyMeasureAPoorLinkIsAssumed() {
        let deadline = RequestDeadline(floor: .seconds(120))
        #expect(deadline.deadline(forBytes: 1_000) == .seconds(120))
        // 1 MB at an assumed 2 kB/s is 500 s; four times that.
        #expect(deadline.deadline(forBytes: 1_000_000) == .seconds(2_000))
    }

    @Test func aMeasuredSlowLinkGivesALargePushTheTimeItNeeds() {
        var deadline = RequestDeadline(floor: .seconds(120))
        deadline.completed(bytes: 40_000, elapsed: .seconds(10))
        #expect(deadline.throughput == 4_000)
        #expect(deadline.deadline(forBytes: 4_000_000) == .seconds(4_000))
        #expect(deadline.deadline(forBytes: 40_000) == .seconds(120))
    }

    @Test func theSlowestLargeEnoughRequestCounts() {
        var deadline = RequestDeadline(floor: .seconds(120))
        // Too small to measure the link (mostly the round trip).
        deadline.completed(bytes: 1_000, elapsed: .milliseconds(1))
        #expect(deadline.measured == nil)
        deadline.completed(bytes: 1_000_000, elapsed: .seconds(1))
        deadline.completed(bytes: 40_000, elapsed: .seconds(10))
        deadline.completed(bytes: 10_000_000, elapsed: .milliseconds(100))
        #expect(deadline.throughput == 4_000)
    }

    @Test func aFastLinkKeepsTheFloorAndNoDeadlinePassesADay() {
        var deadline = RequestDeadline(floor: .seconds(120))
        deadline.completed(bytes: 10_000_000, elapsed: .milliseconds(100))
        #expect(deadline.deadline(forBytes: 4_000_000) == .seconds(120))
        var stuck = RequestDeadline(floor: .seconds(120))
        stuck.completed(bytes: 16_384, elapsed: .seconds(16_384))
        #expect(stuck.deadline(forBytes: 1 << 30) == .seconds(86_400))
    }
}
