import ProofOfWork
import Synchronization

/// Work for the hashing threads, independent of where it came from (a stratum job, a benchmark, a test).
///
/// The engine asks ``header(_:)`` for the 80-byte header of an extranonce2 counter; within one header it
/// owns the whole 2^32 nonce space, which threads share out in chunks.
package struct MiningWork: Sendable {
    /// The job's identifier, carried into every ``FoundShare``.
    package var jobID: String
    /// The algorithm to hash with.
    package var algorithm: any ProofOfWork
    /// The share target.
    package var target: Target
    /// Builds the header (nonce field ignored) for an extranonce2 counter.
    package var header: @Sendable (UInt64) -> [UInt8]
    /// How far threads got through this work. Publishing work again with the same progress continues
    /// where the threads stopped (a pool that re-sends a job on a resumed session), so no nonce is
    /// hashed twice.
    package var progress: WorkProgress

    /// Creates work, starting at extranonce2 counter 0 unless `progress` says how far it got before.
    package init(jobID: String, algorithm: any ProofOfWork, target: Target, progress: WorkProgress = WorkProgress(),
                header: @escaping @Sendable (UInt64) -> [UInt8]) {
        self.jobID = jobID
        self.algorithm = algorithm
        self.target = target
        self.progress = progress
        self.header = header
    }
}

/// The next unclaimed (extranonce2 counter, nonce) pair of a piece of work, packed as `counter << 32 | nonce`.
/// Threads claim nonces from it with an atomic add, so ranges never overlap, also across publications.
package final class WorkProgress: Sendable {
    private let position: Atomic<UInt64>

    /// Progress at the start of extranonce2 counter `counter`.
    package init(counter: UInt64 = 0) { position = Atomic(counter << 32) }

    /// Claims `chunk` nonces (a power of two dividing 2^32, so a claim never straddles two headers).
    func claim(_ chunk: UInt64) -> (extranonce2: UInt64, nonce: UInt32) {
        let value = position.add(chunk, ordering: .relaxed).oldValue
        return (value >> 32, UInt32(truncatingIfNeeded: value))
    }

    /// The nonces claimed so far (claimed is not necessarily hashed: a claim cut short by new work is
    /// left unfinished, never hashed again).
    package var claimed: UInt64 { position.load(ordering: .relaxed) }
}

/// A share a hashing thread found, with the hash its exact check computed (checked against the target).
package struct FoundShare: Sendable, Equatable {
    /// The job it solves.
    package var jobID: String
    /// The extranonce2 counter of its header.
    package var extranonce2: UInt64
    /// The nonce.
    package var nonce: UInt32
    /// The header's hash (hash order), from the scanner's exact check.
    package var hash: [UInt8]
    /// The difficulty the hash achieves.
    package var difficulty: Double
    /// The hashing thread that found it.
    package var thread: Int
}
