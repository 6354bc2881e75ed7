import ProofOfWork

/// How the embedded test pool behaves.
public struct TestPoolConfiguration: Sendable {
    /// How `mining.subscribe` is answered: stratum-mining's two tuples or ckpool's single one.
    public enum SubscribeReplyStyle: Sendable {
        /// `[[["mining.set_difficulty", id], ["mining.notify", id]], extranonce1, size]`.
        case stratumMining
        /// `[[["mining.notify", id]], extranonce1, size]`.
        case ckpool
    }

    /// The algorithm shares are verified with (its reference hash).
    public var algorithm: any ProofOfWork
    /// The share difficulty sent to each new connection.
    public var difficulty: Double
    /// Address to listen on; loopback by default.
    public var host = "127.0.0.1"
    /// Port; 0 picks a free one.
    public var port = 0
    /// extranonce2 size announced to miners.
    public var extranonce2Size = 4
    /// Accepted credentials (user → password); nil accepts anyone.
    public var credentials: [String: String]?
    /// Send a fresh (not clean) job this often; nil sends jobs only when asked.
    public var jobInterval: Duration?
    /// The subscribe reply shape.
    public var subscribeReplyStyle: SubscribeReplyStyle = .stratumMining
    /// How far past the job's ntime a share's ntime may be, in seconds (ckpool allows 7000).
    public var ntimeWindow: UInt32 = 7_000

    /// Serve TLS with this PEM certificate chain and private key (`--tls-cert`, `--tls-key`); nil for plain TCP.
    public var tls: (certificateFile: String, keyFile: String)?
    /// Misbehaviour to show (see ``TestPoolFault``); none by default.
    public var faults: Set<TestPoolFault> = []
    /// Resume sessions as ckpool does: a `mining.subscribe` that names a subscription id this pool gave
    /// earlier gets the same extranonce1 back, and the job in progress again (with `clean_jobs`). Shares are
    /// checked for duplicates across connections, so a miner that repeats work after a resume is caught.
    public var resumeSessions = true
    /// Connections served at once; more are closed at once.
    public var maximumConnections = 256

    /// A configuration for an algorithm and difficulty.
    public init(algorithm: any ProofOfWork, difficulty: Double) {
        self.algorithm = algorithm
        self.difficulty = difficulty
    }
}
