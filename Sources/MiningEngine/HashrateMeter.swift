import Guarded
import Synchronization

/// Hashes per second over the last 10 s, 60 s and 15 min, in total and per thread.
public struct HashrateSnapshot: Sendable, Equatable {
    /// Total over the last 10 seconds.
    public var tenSeconds: Double
    /// Total over the last minute.
    public var oneMinute: Double
    /// Total over the last 15 minutes.
    public var fifteenMinutes: Double
    /// Each thread over the last 10 seconds.
    public var perThread: [Double]
    /// Every hash counted since the engine was created.
    public var totalHashes: UInt64

    /// An all-zero snapshot.
    public static let zero = HashrateSnapshot(tenSeconds: 0, oneMinute: 0, fifteenMinutes: 0, perThread: [], totalHashes: 0)
}

/// Keeps a second-by-second history of hash counters and turns it into rates.
///
/// Hashing threads only add to their own atomic counter; a sampler calls ``record(_:at:)`` about once a
/// second, so neither side ever waits for the other.
package final class HashrateMeter: Sendable {
    private struct Sample: Sendable {
        var time: ContinuousClock.Instant
        var counts: [UInt64]
    }

    private let history = Locked<[Sample]>([])
    private let capacity = 960

    /// An empty meter.
    package init() {}

    /// Records the cumulative per-thread counts at `time`.
    package func record(_ counts: [UInt64], at time: ContinuousClock.Instant = .now) {
        history.withLock { samples in
            samples.append(Sample(time: time, counts: counts))
            if samples.count > capacity { samples.removeFirst(samples.count - capacity) }
        }
    }

    /// Forgets the history (after the thread count changed).
    package func reset() { history.withLock { $0.removeAll() } }

    /// Rates over the windows, ending at the latest sample.
    package func snapshot() -> HashrateSnapshot {
        history.withLock { samples in
            guard let latest = samples.last else { return .zero }
            func base(_ window: Duration) -> Sample? {
                let cutoff = latest.time - window
                return samples.first { $0.time >= cutoff && $0.time < latest.time }
            }
            func rate(_ counts: (Sample) -> UInt64, over window: Duration) -> Double {
                guard let first = base(window) else { return 0 }
                let elapsed = first.time.duration(to: latest.time)
                let seconds = elapsed.inSeconds
                let now = counts(latest), then = counts(first)
                return seconds > 0 && now >= then ? Double(now - then) / seconds : 0
            }
            let total: (Sample) -> UInt64 = { $0.counts.reduce(0, +) }
            let perThread = latest.counts.indices.map { index in
                rate({ $0.counts.indices.contains(index) ? $0.counts[index] : 0 }, over: .seconds(10))
            }
            return HashrateSnapshot(tenSeconds: rate(total, over: .seconds(10)), oneMinute: rate(total, over: .seconds(60)),
                                    fifteenMinutes: rate(total, over: .seconds(900)), perThread: perThread,
                                    totalHashes: total(latest))
        }
    }
}
