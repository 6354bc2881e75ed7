import ProofOfWork

/// A nonce that met a job's target: everything `mining.submit` needs, and what the miner checked.
public struct Share: Sendable, Hashable {
    /// The job it solves.
    public var jobID: String
    /// The extranonce2 bytes placed in the coinbase.
    public var extranonce2: [UInt8]
    /// The ntime used (the job's).
    public var ntime: UInt32
    /// The nonce.
    public var nonce: UInt32
    /// The 32-byte proof-of-work hash (hash order; see ``Target``).
    public var hash: [UInt8]
    /// The difficulty the hash achieves (pool units).
    public var difficulty: Double
    /// The difficulty of the target it was checked against when submitted: what an accepted share is
    /// credited with (pool units).
    public var targetDifficulty: Double

    /// Creates a share; `targetDifficulty` defaults to `difficulty`.
    public init(jobID: String, extranonce2: [UInt8], ntime: UInt32, nonce: UInt32, hash: [UInt8], difficulty: Double,
                targetDifficulty: Double? = nil) {
        self.jobID = jobID
        self.extranonce2 = extranonce2
        self.ntime = ntime
        self.nonce = nonce
        self.hash = hash
        self.difficulty = difficulty
        self.targetDifficulty = targetDifficulty ?? difficulty
    }

    /// `mining.submit` params: worker, job_id, extranonce2, ntime, nonce (hex; ntime and nonce big-endian).
    public func submitParams(worker: String) -> [JSONValue] {
        [.string(worker), .string(jobID), .string(Hex.encode(extranonce2)), .string(Hex.string(ntime)), .string(Hex.string(nonce))]
    }

    /// The hash as block explorers print it (most significant byte first).
    public var displayHash: String { Hex.encode(hash.reversed()) }
}
