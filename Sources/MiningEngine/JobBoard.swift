import Guarded
import ProofOfWork
import Synchronization

/// Where the engine posts work for its threads.
///
/// Threads read ``epoch`` (one atomic load) between batches; only when it changed do they take the lock
/// and pick up the new ``Assignment``. Nonces are handed out by an atomic add on the work's
/// ``WorkProgress``, so threads never scan the same nonce twice.
final class JobBoard: Sendable {
    /// What one epoch asks threads to do.
    final class Assignment: Sendable {
        let work: MiningWork
        let target: Target
        let cursor: WorkProgress

        init(work: MiningWork, target: Target, cursor: WorkProgress) {
            self.work = work
            self.target = target
            self.cursor = cursor
        }
    }

    let epoch = Atomic<UInt64>(0)
    private let current = Locked<Assignment?>(nil)

    /// Replaces the work; every thread switches at its next batch.
    func publish(_ work: MiningWork) {
        current.withLock { $0 = Assignment(work: work, target: work.target, cursor: work.progress) }
        epoch.add(1, ordering: .releasing)
    }

    /// Makes the current work's target `target` if that is stricter, keeping the nonce cursor.
    func tighten(to target: Target, jobID: String) {
        let changed = current.withLock { assignment -> Bool in
            guard let old = assignment, old.work.jobID == jobID, target.isLess(than: old.target) else { return false }
            assignment = Assignment(work: old.work, target: target, cursor: old.cursor)
            return true
        }
        if changed { epoch.add(1, ordering: .releasing) }
    }

    /// Takes the work away; threads idle until the next ``publish(_:)``.
    func withdraw() {
        current.withLock { $0 = nil }
        epoch.add(1, ordering: .releasing)
    }

    /// The current assignment.
    var assignment: Assignment? { current.withLock { $0 } }
}
