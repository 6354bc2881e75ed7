import Guarded
import Synchronization

/// Counts of what happened to shares.
public struct ShareStatistics: Sendable, Equatable {
    /// Shares the pool accepted.
    public var accepted: UInt64 = 0
    /// Rejected shares by reason key (`stale`, `duplicate`, `low-difficulty`, `unauthorized`, …).
    public var rejected: [String: UInt64] = [:]
    /// Shares found for a job the pool had already replaced with a clean one; not submitted.
    public var stale: UInt64 = 0
    /// Shares the pool never answered, or that could not be sent.
    public var lost: UInt64 = 0
    /// Candidates the engine's re-check refused (a kernel fault); never submitted.
    public var invalid: UInt64 = 0
    /// Sum of the pool difficulty of accepted shares.
    public var acceptedDifficulty: Double = 0
    /// The highest difficulty any found share achieved.
    public var bestShareDifficulty: Double = 0

    /// Rejected shares of every reason.
    public var rejectedTotal: UInt64 { rejected.values.reduce(0, +) }
}

/// The running tally of shares, in total and per pool, safe to update from any thread.
///
/// A pool is named by a key of the caller's choosing; results given without one count in the total only.
package final class ShareLedger: Sendable {
    private struct Tally: Sendable {
        var total = ShareStatistics()
        var byPool: [String: ShareStatistics] = [:]

        mutating func update(_ pool: String?, _ change: (inout ShareStatistics) -> Void) {
            change(&total)
            if let pool { change(&byPool[pool, default: ShareStatistics()]) }
        }
    }

    private let tally = Locked(Tally())

    /// An empty ledger.
    package init() {}

    /// A share was found and checked (tracks the best share).
    package func found(difficulty: Double) {
        tally.withLock { $0.total.bestShareDifficulty = max($0.total.bestShareDifficulty, difficulty) }
    }

    /// `pool` accepted a share submitted at `poolDifficulty`.
    package func accepted(poolDifficulty: Double, pool: String? = nil) {
        tally.withLock {
            $0.update(pool) {
                $0.accepted += 1
                $0.acceptedDifficulty += poolDifficulty
            }
        }
    }

    /// `pool` rejected a share for `reason` (a reason key).
    package func rejected(reason: String, pool: String? = nil) {
        tally.withLock { $0.update(pool) { $0.rejected[reason, default: 0] += 1 } }
    }

    /// A share for `pool`'s job was dropped as stale before submission.
    package func stale(pool: String? = nil) { tally.withLock { $0.update(pool) { $0.stale += 1 } } }

    /// A share for `pool` was lost (no answer, or the connection was down).
    package func lost(pool: String? = nil) { tally.withLock { $0.update(pool) { $0.lost += 1 } } }

    /// A candidate failed the engine's re-check.
    package func invalid() { tally.withLock { $0.total.invalid += 1 } }

    /// A copy of the counts.
    package var snapshot: ShareStatistics { tally.withLock { $0.total } }

    /// A copy of one pool's counts (zero for a pool with none).
    package func statistics(forPool pool: String) -> ShareStatistics {
        tally.withLock { $0.byPool[pool] ?? ShareStatistics() }
    }

    /// Forgets the per-pool counts of every pool not in `pools` (the totals stay): keeps the ledger as
    /// small as the pool list.
    package func keepPools(_ pools: Set<String>) {
        tally.withLock { tally in tally.byPool = tally.byPool.filter { pools.contains($0.key) } }
    }
}
