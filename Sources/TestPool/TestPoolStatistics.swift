/// What the test pool has seen.
public struct TestPoolStatistics: Sendable, Equatable {
    /// Connections accepted so far.
    public var connections = 0
    /// Lines received from miners (requests, valid or not).
    public var lines = 0
    /// Successful `mining.authorize` calls.
    public var authorized = 0
    /// Refused `mining.authorize` calls.
    public var authorizationsRefused = 0
    /// Shares accepted.
    public var accepted = 0
    /// Shares rejected, by stratum error code (20 other, 21 stale, 22 duplicate, 23 low difficulty,
    /// 24 unauthorized, 25 not subscribed).
    public var rejected: [Int: Int] = [:]
    /// Subscriptions that resumed an earlier session (same extranonce1 given back).
    public var resumed = 0
    /// Jobs sent (each broadcast counts once).
    public var jobs = 0
    /// Job IDs of accepted shares, in order (the newest 1,000).
    public var acceptedJobIDs: [String] = []

    /// Rejected shares of every code.
    public var rejectedTotal: Int { rejected.values.reduce(0, +) }
}
