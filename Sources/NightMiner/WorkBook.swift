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
struct WorkBook {
    /// A job's identity across sessions: a digest of the pool, extranonce1, extranonce2 size and the
    /// notification's fields (all but `clean_jobs`).
    struct Identity: Hashable, Sendable {
        let digest: [UInt8]

        init(pool: String, job: Job) {
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

    /// A submitted share: its job's identity and what `mining.submit` sent for it.
    private struct SubmittedShare: Hashable {
        var job: Identity
        var extranonce2: [UInt8]
        var ntime: UInt32
        var nonce: UInt32
    }

    /// Jobs remembered.
    let capacity: Int
    /// Submitted shares remembered.
    let shareCapacity: Int
    private var progress: [Identity: WorkProgress] = [:]
    private var jobOrder: [Identity] = []
    private var submitted: Set<SubmittedShare> = []
    private var submittedOrder: [SubmittedShare] = []
    private var submittedStart = 0

    init(capacity: Int = 256, shareCapacity: Int = 16_384) {
        self.capacity = capacity
        self.shareCapacity = shareCapacity
    }

    /// The progress of job `identity`: where the threads stopped when it was seen before, else a new start.
    /// The second value says whether the job was seen before.
    mutating func progress(for identity: Identity) -> (WorkProgress, resumed: Bool) {
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
    mutating func recordSubmission(of share: Share, job: Identity) -> Bool {
        let key = SubmittedShare(job: job, extranonce2: share.extranonce2, ntime: share.ntime, nonce: share.nonce)
        guard submitted.insert(key).inserted else { return false }
        submittedOrder.append(key)
        if submittedOrder.count - submittedStart > shareCapacity {
            submitted.remove(submittedOrder[submittedStart])
            submittedStart += 1
            if submittedStart > shareCapacity {
                submittedOrder.removeFirst(submittedStart)
                submittedStart = 0
            }
        }
        return true
    }

    /// Forgets a share recorded by ``recordSubmission(of:job:)`` that could not be sent after all.
    mutating func forgetSubmission(of share: Share, job: Identity) {
        submitted.remove(SubmittedShare(job: job, extranonce2: share.extranonce2, ntime: share.ntime, nonce: share.nonce))
    }

    /// Jobs and shares remembered now.
    var counts: (jobs: Int, shares: Int) { (progress.count, submitted.count) }
}
