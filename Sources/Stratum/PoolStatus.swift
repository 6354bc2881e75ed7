/// How one pool of a ``StratumClient``'s list is doing, for `/pools` and dashboards.
public struct PoolStatus: Sendable, Equatable {
    /// Where a pool stands.
    public enum State: String, Sendable {
        /// In use and authorized.
        case active
        /// In use, not authorized yet (connecting, subscribing, or waiting to retry).
        case connecting
        /// Not in use; its last sessions failed (see ``PoolStatus/failures``).
        case failing
        /// Not in use, nothing against it (a backup, or a pool failed over from and cleared).
        case standby
    }

    /// The pool (its password is never shown by ``PoolEndpoint/description``).
    public var pool: PoolEndpoint
    /// Where it stands.
    public var state: State
    /// Failed sessions in a row.
    public var failures: Int
    /// Why its last session ended, if it failed.
    public var lastError: String?

    /// A status.
    public init(pool: PoolEndpoint, state: State, failures: Int, lastError: String?) {
        self.pool = pool
        self.state = state
        self.failures = failures
        self.lastError = lastError
    }
}
