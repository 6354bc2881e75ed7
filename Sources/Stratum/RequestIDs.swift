import Synchronization

/// Request ids for one client, unique across its sessions (share tickets are request ids).
final class RequestIDs: Sendable {
    private let counter = Atomic<Int64>(1)

    /// A fresh id.
    func next() -> Int64 { counter.add(1, ordering: .relaxed).oldValue }
}
