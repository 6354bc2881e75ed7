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

/// The running tally of shares, safe to update from any thread.
public final class ShareLedger: Sendable {
    private let statistics = Locked(ShareStatistics())

    /// An empty ledger.
    public init() {}

    /// A share was found and checked (tracks the best share).
    public func found(difficulty: Double) {
        statistics.withLock { $0.bestShareDifficulty = max($0.bestShareDifficulty, difficulty) }
    }

    /// The pool accepted a share submitted at `poolDifficulty`.
    public func accepted(poolDifficulty: Double) {
        statistics.withLock {
            $0.accepted += 1
            $0.acceptedDifficulty += poolDifficulty
        }
    }

    /// The pool rejected a share for `reason` (a reason key).
    public func rejected(reason: String) { statistics.withLock { $0.rejected[reason, default: 0] += 1 } }

    /// A share was dropped as stale before submission.
    public func stale() { statistics.withLock { $0.stale += 1 } }

    /// A share was lost (no answer, or the connection was down).
    public func lost() { statistics.withLock { $0.lost += 1 } }

    /// A candidate failed the engine's re-check.
    public func invalid() { statistics.withLock { $0.invalid += 1 } }

    /// A copy of the counts.
    public var snapshot: ShareStatistics { statistics.withLock { $0 } }
}
