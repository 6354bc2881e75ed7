import MiningEngine
import ProofOfWork
import Stratum

/// A consistent read-only view of a running miner, for status lines, APIs and dashboards.
public struct MinerSnapshot: Sendable {
    /// What the miner is doing.
    public enum State: String, Sendable {
        /// Not running.
        case stopped
        /// Running but without work (connecting, subscribing, authorizing).
        case connecting
        /// Hashing a job.
        case mining
    }

    /// The current job, as the pool sent it.
    public struct JobInfo: Sendable {
        /// Job ID.
        public var id: String
        /// When it arrived.
        public var receivedAt: ContinuousClock.Instant
        /// The share difficulty that applies to it (the stricter of the job's and any later one).
        public var difficulty: Double
        /// The share target.
        public var target: Target
        /// Whether it voided older jobs.
        public var clean: Bool
        /// extranonce2 size in bytes.
        public var extranonce2Size: Int
    }

    /// The pool connection.
    public struct PoolInfo: Sendable {
        /// The pool URL.
        public var url: String
        /// The worker name.
        public var user: String
        /// Whether subscribed and authorized.
        public var connected: Bool
        /// Since when, if connected.
        public var connectedSince: ContinuousClock.Instant?
        /// Round trip of the last answered share.
        public var lastShareRoundTrip: Duration?
        /// The last connection or authorization problem.
        public var lastError: String?
        /// How long the oldest request still unanswered (a share, usually) has waited, if any.
        public var oldestUnansweredRequest: Duration?
    }

    /// One pool of the list: where it stands and its share counts.
    public struct PoolStanding: Sendable {
        /// State, failed sessions in a row, last error.
        public var status: PoolStatus
        /// Shares this pool answered (accepted, rejected), never answered (lost), or that went stale on it.
        public var shares: ShareStatistics
    }

    /// Current state.
    public var state: State
    /// When the miner started running, if running.
    public var startedAt: ContinuousClock.Instant?
    /// Algorithm name.
    public var algorithm: String
    /// The kernel hashing (scanner type).
    public var kernel: String
    /// Hashing threads.
    public var threads: Int
    /// Hash rates.
    public var hashrate: HashrateSnapshot
    /// Share counts.
    public var shares: ShareStatistics
    /// The current job, if any.
    public var job: JobInfo?
    /// The pool.
    public var pool: PoolInfo
    /// The current pool difficulty.
    public var difficulty: Double
    /// Every configured pool in priority order, with its share counts.
    public var pools: [PoolStanding]
    /// The last review of the kernel in use against its runner-up (nil before the first, every 5 minutes).
    public var kernelReview: KernelReviewReport?
}
