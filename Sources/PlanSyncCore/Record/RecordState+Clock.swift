extension RecordState {
    /// This record with every entry of `replica`'s own dated beyond `limit` given a fresh tick of `clock`:
    /// writes made while the device's clock was far ahead, which no server accepted, so no other copy holds
    /// them. Their dots stay; only the timestamps (and a resolution's time) change.
    public func restamped(by replica: ReplicaID, beyond limit: UInt64, clock: inout HybridLogicalClock, now: UInt64)
        throws(ClockError) -> RecordState
    {
        var result = self
        for (name, entries) in fields {
            var changed = entries
            for index in changed.indices where changed[index].dot.replica == replica && changed[index].time.wall > limit {
                let time = try clock.tick(now: now)
                changed[index].time = time
                changed[index].resolution?.at = time.wall
            }
            result.fields[name] = changed
        }
        for (language, byField) in translations {
            for (name, entries) in byField {
                var changed = entries
                for index in changed.indices
                where changed[index].dot.replica == replica && changed[index].time.wall > limit {
                    changed[index].time = try clock.tick(now: now)
                }
                result.translations[language]?[name] = changed
            }
        }
        for index in result.tombstones.indices
        where result.tombstones[index].dot.replica == replica && result.tombstones[index].time.wall > limit {
            result.tombstones[index].time = try clock.tick(now: now)
        }
        return result
    }
}
