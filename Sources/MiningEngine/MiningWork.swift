import ProofOfWork

/// Work for the hashing threads, independent of where it came from (a stratum job, a benchmark, a test).
///
/// The engine asks ``header(_:)`` for the 80-byte header of an extranonce2 counter; within one header it
/// owns the whole 2^32 nonce space, which threads share out in chunks.
public struct MiningWork: Sendable {
    /// The job's identifier, carried into every ``FoundShare``.
    public var jobID: String
    /// The algorithm to hash with.
    public var algorithm: any ProofOfWork
    /// The share target.
    public var target: Target
    /// Builds the header (nonce field ignored) for an extranonce2 counter.
    public var header: @Sendable (UInt64) -> [UInt8]

    /// Creates work.
    public init(jobID: String, algorithm: any ProofOfWork, target: Target, header: @escaping @Sendable (UInt64) -> [UInt8]) {
        self.jobID = jobID
        self.algorithm = algorithm
        self.target = target
        self.header = header
    }
}

/// A share a hashing thread found and the engine re-checked with the algorithm's reference hash.
public struct FoundShare: Sendable, Equatable {
    /// The job it solves.
    public var jobID: String
    /// The extranonce2 counter of its header.
    public var extranonce2: UInt64
    /// The nonce.
    public var nonce: UInt32
    /// The reference hash (hash order).
    public var hash: [UInt8]
    /// The difficulty the hash achieves.
    public var difficulty: Double
    /// The hashing thread that found it.
    public var thread: Int
}
