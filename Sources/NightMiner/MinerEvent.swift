import MiningEngine

/// What a ``Miner`` reports as it runs, in order, to the handlers given to ``Miner/observe(_:)``: for
/// metrics, the `/events` stream and dashboards.
public enum MinerEvent: Sendable {
    /// What became of one share.
    public enum ShareOutcome: Sendable, Equatable {
        /// The pool accepted it.
        case accepted
        /// The pool rejected it, with the reason's key (`stale`, `duplicate`, `low-difficulty`, …).
        case rejected(reason: String)
        /// Its job was void before it could be sent; not sent.
        case stale
        /// Sent, never answered (or could not be sent).
        case lost
        /// It failed the miner's own check on the exact header; not sent.
        case invalid
    }

    /// A run began.
    case started
    /// The run ended.
    case stopped
    /// The pool authorized the worker on `pool` (its URL).
    case poolConnected(pool: String)
    /// The connection to `pool` ended.
    case poolDisconnected(pool: String, reason: String)
    /// The miner moved from one pool to another.
    case failover(from: String, to: String, reason: String)
    /// New work from the pool.
    case job(id: String, difficulty: Double, clean: Bool)
    /// The pool set a new share difficulty.
    case difficulty(Double)
    /// A share's fate, with the pool's round trip when it answered.
    case share(pool: String, outcome: ShareOutcome, roundTrip: Duration?)
    /// The kernel review moved the hashing threads to a faster kernel.
    case kernelSwitch(KernelSwitch)
}
