/// What the stratum client reports to whoever drives it (the ``Miner``, or your own code).
package enum StratumEvent: Sendable {
    /// Connecting to a pool.
    case connecting(PoolEndpoint)
    /// TCP is up; subscribing.
    case connected(PoolEndpoint)
    /// `mining.subscribe` answered.
    case subscribed(extranonce1: [UInt8], extranonce2Size: Int)
    /// `mining.authorize` accepted this worker.
    case authorized(worker: String)
    /// `mining.authorize` refused by `pool`; the client disconnects and moves to the next pool, or retries
    /// later when it is the only one.
    case authorizationFailed(pool: PoolEndpoint, reason: String)
    /// New work. `clean` means every older job is void (the pool said so, or the prevhash changed).
    case job(Job, clean: Bool)
    /// A new share difficulty (applies to the next job; running jobs should use the stricter one).
    case difficulty(Double)
    /// The verdict of `pool` (as configured) on a share submitted with ``StratumClient/submit(_:session:)``.
    case shareResult(ticket: Int64, share: Share, pool: PoolEndpoint, outcome: SubmitOutcome, roundTrip: Duration)
    /// A share submitted to `pool` that it never answered within the response timeout, or that could not
    /// be sent because the session was ending.
    case shareLost(ticket: Int64, share: Share, pool: PoolEndpoint)
    /// A message for the user from `client.show_message`.
    case message(String)
    /// The connection ended, with the reason.
    case disconnected(String)
    /// The client moved from one pool of its list to another: `from` failed (`reason`), or `to` is a
    /// higher-priority pool that is healthy again.
    case failover(from: PoolEndpoint, to: PoolEndpoint, reason: String)
}
