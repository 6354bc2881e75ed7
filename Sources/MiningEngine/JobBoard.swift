import Guarded
import ProofOfWork
import Synchronization

/// Where the engine posts work for its threads.
///
/// Threads read ``epoch`` (one atomic load) between batches; only when it changed do they take the lock
/// and pick up the new ``Assignment``. Nonces are handed out by an atomic add on the assignment's cursor,
/// so threads never scan the same nonce twice.
final class JobBoard: Sendable {
    /// What one epoch asks threads to do.
    final class Assignment: Sendable {
        let work: MiningWork
        let target: Target
        let cursor: Cursor

        init(work: MiningWork, target: Target, cursor: Cursor) {
            self.work = work
            self.target = target
            self.cursor = cursor
        }
    }

    /// The next unclaimed (extranonce2 counter, nonce) pair, packed as `counter << 32 | nonce`.
    final class Cursor: Sendable {
        let position = Atomic<UInt64>(0)
        /// Claims `chunk` nonces (a power of two dividing 2^32, so a claim never straddles two headers).
        func claim(_ chunk: UInt64) -> (extranonce2: UInt64, nonce: UInt32) {
            let value = position.add(chunk, ordering: .relaxed).oldValue
            return (value >> 32, UInt32(truncatingIfNeeded: value))
        }
    }

    let epoch = Atomic<UInt64>(0)
    private let current = Locked<Assignment?>(nil)

    /// Replaces the work; every thread switches at its next batch.
    func publish(_ work: MiningWork) {
        current.withLock { $0 = Assignment(work: work, target: work.target, cursor: Cursor()) }
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
