import MiningEngine
import ProofOfWork
import Stratum

/// What the miner remembers of the work it did for each pool, so that work is never done twice: how far
/// the threads got in each job (its ``WorkProgress``) and which shares were submitted.
///
/// A pool that resumes a session gives back the same extranonce1 and may send the job in progress again
/// (ckpool does, with `clean_jobs`); the miner then continues that job where it stopped instead of
/// starting it over and submitting shares the pool already has. "The same job" is the same pool, the same
/// extranonce1 and extranonce2 size, and the same job id with the same fields (some pools reuse ids for
/// other work, so the id alone is not enough); a different extranonce1 is different work.
///
/// Bounded: the newest ``capacity`` jobs and ``shareCapacity`` shares are kept, far more than a pool
/// re-sends.
package struct WorkBook {
    /// A job's identity across sessions: a digest of the pool, extranonce1, extranonce2 size and the
    /// notification's fields (all but `clean_jobs`).
    package struct Identity: Hashable, Sendable {
        let digest: [UInt8]

        package init(pool: String, job: Job) {
            let notification = job.notification
            var bytes = [UInt8]()
            func field(_ part: [UInt8]) {
                bytes += withUnsafeBytes(of: UInt32(part.count).littleEndian, Array.init)
                bytes += part
            }
            field(Array(pool.utf8))
            field(job.extranonce1)
            field([UInt8(truncatingIfNeeded: job.extranonce2Size)])
            field(Array(notification.jobID.utf8))
            field(notification.prevhash)
            field(notification.coinbase1)
            field(notification.coinbase2)
            field(notification.merkleBranch.flatMap { $0 })
            field(withUnsafeBytes(of: notification.version.littleEndian, Array.init))
            field(withUnsafeBytes(of: notification.nbits.littleEndian, Array.init))
            field(withUnsafeBytes(of: notification.ntime.littleEndian, Array.init))
            digest = SHA256.hash(bytes)
        }
    }

    /// A submitted share, as 128 bits of the SHA-256 of its job's identity and what `mining.submit` sent
    /// for it (no allocation per share; a collision would need 2^64 shares).
    private struct SubmittedShare: Hashable {
        var high: UInt64
        var low: UInt64

        init(_ share: Share, job: Identity) {
            var bytes = job.digest + share.extranonce2
            bytes += withUnsafeBytes(of: share.ntime.littleEndian, Array.init)
            bytes += withUnsafeBytes(of: share.nonce.littleEndian, Array.init)
            let digest = SHA256.hash(bytes)
            high = digest[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
            low = digest[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
        }
    }

    /// Jobs remembered.
    package let capacity: Int
    /// Submitted shares remembered.
    package let shareCapacity: Int
    private var progress: [Identity: WorkProgress]
    private var jobOrder: [Identity] = []
    private var submitted: Set<SubmittedShare>
    /// The submitted shares in the order recorded: a ring of `shareCapacity`, the oldest at `ringNext` once full.
    private var submittedRing: [SubmittedShare] = []
    private var ringNext = 0

    /// A book for `capacity` jobs and `shareCapacity` submitted shares. Its tables are sized for those at
    /// once (about 50 bytes a share), so its memory does not creep up for hours as they fill.
    package init(capacity: Int = 256, shareCapacity: Int = 16_384) {
        self.capacity = capacity
        self.shareCapacity = max(1, shareCapacity)
        progress = Dictionary(minimumCapacity: capacity + 1)
        jobOrder.reserveCapacity(capacity + 1)
        submitted = Set(minimumCapacity: self.shareCapacity + 1)
        submittedRing.reserveCapacity(self.shareCapacity)
    }

    /// The progress of job `identity`: where the threads stopped when it was seen before, else a new start.
    /// The second value says whether the job was seen before.
    package mutating func progress(for identity: Identity) -> (WorkProgress, resumed: Bool) {
        if let known = progress[identity] {
            if let index = jobOrder.firstIndex(of: identity) { jobOrder.remove(at: index) }
            jobOrder.append(identity)
            return (known, true)
        }
        let fresh = WorkProgress()
        progress[identity] = fresh
        jobOrder.append(identity)
        if jobOrder.count > capacity { progress[jobOrder.removeFirst()] = nil }
        return (fresh, false)
    }

    /// Records a share about to be submitted; false when the same share was submitted before (it must
    /// not be sent again).
    package mutating func recordSubmission(of share: Share, job: Identity) -> Bool {
        let key = SubmittedShare(share, job: job)
        guard submitted.insert(key).inserted else { return false }
        if submittedRing.count < shareCapacity {
            submittedRing.append(key)
        } else {
            submitted.remove(submittedRing[ringNext])
            submittedRing[ringNext] = key
            ringNext = (ringNext + 1) % shareCapacity
        }
        return true
    }

    /// Forgets a share recorded by ``recordSubmission(of:job:)`` that could not be sent after all.
    package mutating func forgetSubmission(of share: Share, job: Identity) {
        submitted.remove(SubmittedShare(share, job: job))
    }

    /// Jobs and shares remembered now.
    package var counts: (jobs: Int, shares: Int) { (progress.count, submitted.count) }
}
