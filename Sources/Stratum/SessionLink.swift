import Guarded
import NIOCore

/// What the client and one session share: how the session ended, and a way to reach the session's event
/// loop from any thread. Every field is written on the session's loop and read by the client.
package final class SessionLink: Sendable {
    /// A `client.reconnect` the client follows after this session: only to the pool it came from.
    package struct Redirect: Sendable {
        /// The configured pool the request came from; the redirect is void once another pool is in use.
        package var pool: PoolEndpoint
        package var host: String
        package var port: Int
        package var wait: Duration
    }

    /// How far the session got and why it ended.
    package struct Report: Sendable {
        package var reason: String?
        package var subscribed = false
        package var subscriptionID: String?
        package var authorizedWorker: String?
        package var authorizationRefused: String?
        package var gotJob = false
        package var redirect: Redirect?
        /// The connection could not be made (refused, timed out, no route).
        package var unreachable = false
        /// A request went unanswered past the response timeout.
        package var unresponsive = false
        /// When the oldest request still unanswered was sent (updated at every send and answer).
        package var oldestUnansweredSince: ContinuousClock.Instant?
    }

    /// Which connection this is (jobs carry it; shares are only sent on the session they were found on).
    package let sessionID: UInt64
    /// The configured pool (credentials and options).
    package let pool: PoolEndpoint
    package let report = Locked(Report())
    private let session = Locked<NIOLoopBound<StratumSession>?>(nil)

    /// The link of connection `sessionID` to `pool`.
    package init(sessionID: UInt64, pool: PoolEndpoint) {
        self.sessionID = sessionID
        self.pool = pool
    }

    /// Called by the session once its channel is active.
    func attach(_ bound: NIOLoopBound<StratumSession>) { session.withLock { $0 = bound } }

    /// Called by the session when its channel goes (the session holds this link: without this the two
    /// would keep each other, and every job the session saw, alive for the life of the process).
    func detach() { session.withLock { $0 = nil } }

    /// Runs `body` on the session's event loop; false if the session never became active or has ended.
    @discardableResult
    func perform(_ body: @escaping @Sendable (StratumSession) -> Void) -> Bool {
        guard let bound = session.withLock({ $0 }) else { return false }
        bound.eventLoop.execute { body(bound.value) }
        return true
    }

    /// Records why the session ends; the first reason given is the one kept.
    func noteEnd(_ reason: String) {
        report.withLock { report in
            if report.reason == nil { report.reason = PoolText.bounded(reason) }
        }
    }

    /// The worker the pool authorized on this connection, if any.
    var authorizedWorker: String? { report.withLock { $0.authorizedWorker } }
}
