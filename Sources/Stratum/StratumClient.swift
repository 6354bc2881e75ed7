import Guarded
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ProofOfWork

/// A stratum V1 client: keeps one session with the first healthy pool of its list, turns `mining.notify`
/// into ``Job``s and submits shares; reconnects with backoff and jitter, and moves to the next pool after
/// ``StratumClientOptions/failuresBeforeFailover`` failed sessions in a row or a refused authorization.
///
/// Drive it with ``run()`` and read ``events``. The network runs on SwiftNIO's event loops: no call here
/// blocks or holds a lock across I/O, and each session's timers run whatever the pool sends.
package final class StratumClient: Sendable {
    /// Everything that happens, in order. Finishes when ``run()`` returns. Bounded: a consumer that falls
    /// more than ``StratumClientOptions/maximumQueuedEvents`` behind loses the newest events (logged).
    package let events: AsyncStream<StratumEvent>
    private let continuation: AsyncStream<StratumEvent>.Continuation
    private let options: StratumClientOptions
    private let logger: Logger
    private let state: Locked<State>
    private let requestIDs = RequestIDs()
    private let wake: WakeSignal
    private let group: any EventLoopGroup

    private struct State: Sendable {
        var pools: [PoolEndpoint]
        var poolIndex = 0
        /// The algorithm of pools that name none.
        var algorithm: any ProofOfWork
        /// Where the pools that name an algorithm find it.
        var registry: AlgorithmRegistry?
        var link: SessionLink?
        var channel: (any Channel)?
        var sessionID: UInt64 = 0
        var redirect: SessionLink.Redirect?
        /// The subscription id each pool gave last, sent again to resume the session.
        var resumeIDs: [String: String] = [:]
        var failures: [Int]
        var delays: [Duration]
        /// Counts configuration changes: a session started before one is void.
        var generation: UInt64 = 0
        var stopped = false
        /// A higher-priority pool that proved healthy: the next attempt goes there once the current session
        /// has ended. Only set for the pool list in force (``reconfigure(pools:algorithm:)`` clears it).
        var failback: Int?
        /// TLS contexts, built once per pool's TLS settings (they read CA files) and reused by every
        /// connection and probe; emptied when the pool list changes.
        var tlsContexts: [PoolTLS: NIOSSLContext] = [:]
        /// Why each pool's last failed session ended.
        var lastErrors: [String?]

        /// The algorithm `pool` is mined with: the one it names, else the default.
        func algorithm(for pool: PoolEndpoint) -> any ProofOfWork {
            pool.algorithm.flatMap { registry?.algorithm(named: $0) } ?? algorithm
        }
    }

    /// A client for `pools` (in priority order), hashing with `algorithm`, or with the algorithm a pool
    /// names (``PoolEndpoint/algorithm``) as `registry` knows it.
    package init(pools: [PoolEndpoint], algorithm: any ProofOfWork, registry: AlgorithmRegistry? = nil, options: StratumClientOptions,
                logger: Logger = Logger(label: "nightminer.stratum"),
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        precondition(!pools.isEmpty, "a stratum client needs at least one pool")
        (events, continuation) = AsyncStream.makeStream(of: StratumEvent.self,
                                                        bufferingPolicy: .bufferingOldest(options.maximumQueuedEvents))
        self.options = options
        self.logger = logger
        self.group = group
        wake = WakeSignal(loop: group.any())
        state = Locked(State(pools: pools, algorithm: algorithm, registry: registry, failures: Array(repeating: 0, count: pools.count),
                             delays: Array(repeating: options.minimumReconnectDelay, count: pools.count),
                             lastErrors: Array(repeating: nil, count: pools.count)))
    }

    /// Every pool of the list, in priority order, with where it stands.
    package var poolStatuses: [PoolStatus] {
        state.withLock { state in
            let authorized = state.link?.authorizedWorker != nil
            return state.pools.indices.map { index in
                let standing: PoolStatus.State = index == state.poolIndex ? (authorized ? .active : .connecting)
                    : (state.failures[index] > 0 || state.lastErrors[index] != nil ? .failing : .standby)
                return PoolStatus(pool: state.pools[index], state: standing, failures: state.failures[index],
                                  lastError: state.lastErrors[index])
            }
        }
    }

    /// The pool currently in use (or about to be tried).
    package var currentPool: PoolEndpoint { state.withLock { $0.pools[$0.poolIndex] } }

    /// The current connection session (jobs carry the session they arrived on).
    package var session: UInt64 { state.withLock { $0.sessionID } }

    /// How long the oldest request of the current session has waited for its answer (as of the session's
    /// last timer tick), or nil when none waits.
    package var oldestUnansweredRequest: Duration? {
        guard let since = state.withLock({ $0.link })?.report.withLock({ $0.oldestUnansweredSince }) else { return nil }
        return since.duration(to: .now)
    }

    /// Replaces the pool list and default algorithm and reconnects at once to the first pool; a pending
    /// `client.reconnect` is dropped and every wait ends.
    package func reconfigure(pools: [PoolEndpoint], algorithm: any ProofOfWork) {
        precondition(!pools.isEmpty, "a stratum client needs at least one pool")
        let current = state.withLock { state -> (SessionLink?, (any Channel)?) in
            state.pools = pools
            state.poolIndex = 0
            state.algorithm = algorithm
            state.generation += 1
            state.redirect = nil
            state.failback = nil
            state.tlsContexts = [:]
            state.failures = Array(repeating: 0, count: pools.count)
            state.delays = Array(repeating: options.minimumReconnectDelay, count: pools.count)
            state.lastErrors = Array(repeating: nil, count: pools.count)
            return (state.link, state.channel)
        }
        close(current, reason: "the pool settings changed")
        wake.signal()
    }

    /// Stops the client: closes the connection; ``run()`` returns soon after.
    package func stop() {
        let current = state.withLock { state -> (SessionLink?, (any Channel)?) in
            state.stopped = true
            return (state.link, state.channel)
        }
        close(current, reason: "stopped")
        wake.signal()
    }

    /// Stops the client gracefully: waits up to `grace` for the answers to submitted shares, then closes.
    package func stop(drainingFor grace: Duration) {
        let current = state.withLock { state -> (SessionLink?, (any Channel)?) in
            state.stopped = true
            return (state.link, state.channel)
        }
        drainOrClose(current, grace: grace, reason: "stopped")
        wake.signal()
    }

    /// Stratum sessions (one per connection, ended ones included until freed) in memory in this process:
    /// a test checks that ended sessions are freed.
    package static var liveSessions: Int { StratumSession.live.load(ordering: .relaxed) }

    /// Submits a share; returns its ticket, or nil when not connected and authorized, or when `session`
    /// is given and is not the current one (a share found on a previous connection is never sent on a new
    /// one: its extranonce1 may differ). The verdict arrives as ``StratumEvent/shareResult(ticket:share:pool:outcome:roundTrip:)``
    /// or ``StratumEvent/shareLost(ticket:share:pool:)``; the call itself never waits for the network.
    package func submit(_ share: Share, session: UInt64? = nil) -> Int64? {
        guard let link = state.withLock({ $0.link }), link.authorizedWorker != nil else { return nil }
        if let session, session != link.sessionID { return nil }
        let ticket = requestIDs.next()
        guard link.perform({ $0.submit(share, ticket: ticket) }) else { return nil }
        return ticket
    }

    /// Connects, runs sessions and reconnects until ``stop()``.
    package func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.probeHigherPools() }
            await runSessions()
            group.cancelAll()
        }
        continuation.finish()
    }

    private func runSessions() async {
        while let attempt = nextAttempt() {
            continuation.yield(.connecting(attempt.target))
            await runSession(attempt)
            let wakeGeneration = wake.generation
            let report = attempt.link.report.withLock { $0 }
            let reason = report.reason ?? "connection closed"
            logger.info("disconnected from \(attempt.target.host):\(attempt.target.port): \(reason)")
            emit(.disconnected(reason))
            guard let pause = afterSession(attempt, report: report) else { break }
            if pause > .zero { logger.info("reconnecting in \(pause)") }
            await wake.sleep(for: pause, unlessSignalledSince: wakeGeneration)
        }
    }

    /// One connection attempt: which pool, where (a followed `client.reconnect` may move it), and with what.
    private struct Attempt: Sendable {
        var link: SessionLink
        var target: PoolEndpoint
        var poolIndex: Int
        var generation: UInt64
        var settings: StratumSession.Settings
    }

    private func nextAttempt() -> Attempt? {
        let (attempt, moved) = state.withLock { state -> (Attempt?, Move?) in
            guard !state.stopped else { return (nil, nil) }
            let moved = takeFailback(&state)
            let pool = state.pools[state.poolIndex]
            var target = pool
            if let redirect = state.redirect, redirect.pool == pool {
                target.host = redirect.host
                target.port = redirect.port
            }
            state.redirect = nil
            state.sessionID += 1
            let link = SessionLink(sessionID: state.sessionID, pool: pool)
            state.link = link
            state.channel = nil
            let settings = StratumSession.Settings(
                algorithm: state.algorithm(for: pool), options: options, resumeID: state.resumeIDs[Self.key(pool)], requestIDs: requestIDs,
                emit: { [self] event in emit(event) }, dump: ProtocolDump(enabled: options.dumpProtocol, logger: logger), logger: logger)
            return (Attempt(link: link, target: target, poolIndex: state.poolIndex, generation: state.generation, settings: settings), moved)
        }
        if let moved { announce(moved) }
        return attempt
    }

    /// Moves to the pool a failback chose, when it was chosen for the pool list in force.
    private func takeFailback(_ state: inout State) -> Move? {
        guard let failback = state.failback else { return nil }
        state.failback = nil
        guard failback < state.pools.count, failback != state.poolIndex else { return nil }
        let from = state.pools[state.poolIndex]
        state.poolIndex = failback
        resetBackoff(failback, state: &state)
        state.redirect = nil
        return Move(from: from, to: state.pools[failback], reason: "healthy again")
    }

    private static func key(_ pool: PoolEndpoint) -> String { "\(pool.host):\(pool.port)" }

    /// Connects and waits until the session's channel closes.
    private func runSession(_ attempt: Attempt) async {
        let link = attempt.link
        do {
            let channel = try await connect(to: attempt.target, link: link, settings: attempt.settings)
            let void = state.withLock { state -> String? in
                if state.link === link { state.channel = channel }
                if state.stopped { return "stopped" }
                return state.generation != attempt.generation ? "the pool settings changed" : nil
            }
            if let void { close((link, channel), reason: void) }
            try? await channel.closeFuture.get()
        } catch {
            link.report.withLock { $0.unreachable = true }
            link.noteEnd("cannot connect to \(attempt.target.host):\(attempt.target.port): \(Self.describe(connectError: error))")
        }
        state.withLock { state in
            if state.link === link {
                state.link = nil
                state.channel = nil
            }
        }
    }

    /// Opens a connection to `target` with a session for `link` (TLS first when the pool asks for it).
    private func connect(to target: PoolEndpoint, link: SessionLink, settings: StratumSession.Settings) async throws -> any Channel {
        let maximumLineBytes = options.maximumLineBytes
        let sslContext = try target.tls.map { try self.tlsContext(for: $0, host: target.host) }
        var bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.milliseconds(Int64(options.connectTimeoutMilliseconds)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
        for (option, value) in PoolSocket.deadPathOptions(options) { bootstrap = bootstrap.channelOption(option, value: value) }
        bootstrap = bootstrap
            .channelOption(.writeBufferWaterMark, value: .init(low: options.maximumUnsentBytes / 2, high: options.maximumUnsentBytes))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls = target.tls, let sslContext {
                        try channel.pipeline.syncOperations.addHandler(
                            try TLSConnector.handler(for: tls, context: sslContext, host: target.host, link: link))
                    }
                    try LineChannel.addFraming(to: channel, maximumLineBytes: maximumLineBytes)
                    try channel.pipeline.syncOperations.addHandler(StratumSession(link: link, settings: settings))
                }
            }
        return try await bootstrap.connect(host: target.host, port: target.port).get()
    }

    /// The TLS context for a pool's settings: built on first use (reading its CA file here, not on the
    /// event loop), then reused.
    private func tlsContext(for tls: PoolTLS, host: String) throws -> NIOSSLContext {
        if let context = state.withLock({ $0.tlsContexts[tls] }) { return context }
        if tls.insecure, tls.fingerprint == nil {
            logger.warning("TLS certificate checks are off for \(host) (tls_insecure): anyone in between can read the credentials")
        }
        let context = try TLSConnector.context(for: tls)
        state.withLock { $0.tlsContexts[tls] = context }
        return context
    }

    // MARK: Failback

    /// While a backup pool is in use, probes the pools above it; one that subscribes and authorizes in
    /// every probe for ``StratumClientOptions/failbackAfter`` takes over (the current session first waits
    /// briefly for its share answers).
    private func probeHigherPools() async {
        let interval = min(max(options.failbackAfter / 4, .seconds(1)), .seconds(30))
        var healthySince: [Int: ContinuousClock.Instant] = [:]
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            let (index, pools, generation, stopped) = state.withLock { ($0.poolIndex, $0.pools, $0.generation, $0.stopped) }
            if Task.isCancelled || stopped { return }
            guard index > 0 else {
                healthySince = [:]
                continue
            }
            for candidate in 0..<index {
                guard await probe(pools[candidate]) else {
                    healthySince[candidate] = nil
                    continue
                }
                let since = healthySince[candidate] ?? .now
                healthySince[candidate] = since
                if since.duration(to: .now) >= options.failbackAfter {
                    failBack(to: candidate, generation: generation)
                    healthySince = [:]
                }
                break
            }
        }
    }

    /// Subscribes and authorizes on `pool` over a connection of its own, then leaves: whether the pool
    /// would take work now. Nothing it sends reaches ``events``.
    private func probe(_ pool: PoolEndpoint) async -> Bool {
        let link = SessionLink(sessionID: 0, pool: pool)
        var settings = StratumSession.Settings(
            algorithm: state.withLock { $0.algorithm(for: pool) }, options: options, resumeID: nil, requestIDs: requestIDs, emit: { _ in },
            dump: ProtocolDump(enabled: false, logger: logger), logger: Logger(label: "nightminer.probe", factory: { _ in SwiftLogNoOpLogHandler() }))
        settings.probe = true
        do {
            let channel = try await connect(to: pool, link: link, settings: settings)
            let deadline = channel.eventLoop.scheduleTask(in: .seconds(10)) { channel.close(promise: nil) }
            // A stop cancels the probing task: the probe leaves at once instead of holding up the stop.
            await withTaskCancellationHandler {
                try? await channel.closeFuture.get()
            } onCancel: {
                channel.close(promise: nil)
            }
            deadline.cancel()
        } catch {
            return false
        }
        return link.report.withLock { $0.authorizedWorker != nil }
    }

    private func failBack(to index: Int, generation: UInt64) {
        let current = state.withLock { state -> (SessionLink?, (any Channel)?)? in
            guard state.generation == generation, !state.stopped, state.poolIndex > index else { return nil }
            state.failback = index
            return (state.link, state.channel)
        }
        guard let current else { return }
        let pool = state.withLock { $0.pools[index] }
        logger.notice("pool \(pool.url) has been healthy for \(options.failbackAfter): moving back to it")
        drainOrClose(current, grace: options.reconnectGrace, reason: "moving back to \(pool.url)")
        wake.signal()
    }

    /// Decides what follows a session: nil to end, else the pause before the next attempt.
    private func afterSession(_ attempt: Attempt, report: SessionLink.Report) -> Duration? {
        let (pause, moved) = state.withLock { state -> (Duration?, Move?) in
            guard !state.stopped else { return (nil, nil) }
            guard state.generation == attempt.generation else { return (.zero, nil) }
            // A failback chosen meanwhile is taken by the next attempt, at once.
            if state.failback != nil { return (.zero, nil) }
            return pauseAfterSession(attempt, report: report, state: &state)
        }
        if let moved { announce(moved) }
        return pause
    }

    private func announce(_ moved: Move) {
        logger.warning("moving from \(moved.from.url) to \(moved.to.url): \(moved.reason)")
        emit(.failover(from: moved.from, to: moved.to, reason: moved.reason))
    }

    /// A change of pool, reported once the state lock is released.
    private struct Move {
        var from: PoolEndpoint
        var to: PoolEndpoint
        var reason: String
    }

    /// The pause before the next attempt after a session that ended on its own, and the move to the next
    /// pool when this one failed often enough.
    private func pauseAfterSession(_ attempt: Attempt, report: SessionLink.Report, state: inout State) -> (Duration, Move?) {
        let index = attempt.poolIndex
        if report.subscribed, let id = report.subscriptionID { state.resumeIDs[Self.key(attempt.link.pool)] = id }
        let refused = report.authorizationRefused != nil
        // A session that was handed work counts as healthy, unless the pool then stopped answering.
        let productive = !refused && !report.unresponsive && report.authorizedWorker != nil && report.gotJob
        let reason = report.reason ?? "connection closed"
        if let redirect = report.redirect {
            // client.reconnect: followed after its wait (capped), never sooner than the backoff allows.
            let wait = min(redirect.wait, options.maximumRedirectWait)
            if redirect.wait > options.maximumRedirectWait {
                logger.warning("client.reconnect asked to wait \(redirect.wait); waiting \(wait)")
            }
            if state.pools.count > 1, wait > options.redirectFailoverWait {
                return moveOn(from: index, reason: "the pool asked to reconnect in \(wait); using the next pool meanwhile", pause: .zero, state: &state)
            }
            if productive {
                resetBackoff(index, state: &state)
                state.redirect = redirect
                return (max(wait, jittered(options.minimumReconnectDelay)), nil)
            }
            // Redirected before any work: counts as a failed session (a pool that redirects at once would
            // otherwise make a tight loop).
            let pause = max(wait, recordFailure(index, reason: reason, state: &state))
            if state.pools.count > 1, state.failures[index] >= options.failuresBeforeFailover {
                return moveOn(from: index, reason: reason, pause: nil, state: &state)
            }
            state.redirect = redirect
            return (pause, nil)
        }
        if productive {
            resetBackoff(index, state: &state)
            return (jittered(options.minimumReconnectDelay), nil)
        }
        let pause = recordFailure(index, reason: reason, state: &state)
        guard state.pools.count > 1 else { return (pause, nil) }
        // Unreachable or unresponsive: the next pool at once (failback returns here once it is healthy).
        if report.unreachable || report.unresponsive { return moveOn(from: index, reason: reason, pause: .zero, state: &state) }
        guard refused || state.failures[index] >= options.failuresBeforeFailover else { return (pause, nil) }
        return moveOn(from: index, reason: reason, pause: nil, state: &state)
    }

    /// Counts a failed session of pool `index`; returns the pause its backoff asks for (and doubles it).
    private func recordFailure(_ index: Int, reason: String, state: inout State) -> Duration {
        state.failures[index] += 1
        state.lastErrors[index] = reason
        let pause = jittered(state.delays[index])
        state.delays[index] = min(state.delays[index] * 2, options.maximumReconnectDelay)
        return pause
    }

    private func resetBackoff(_ index: Int, state: inout State) {
        state.failures[index] = 0
        state.lastErrors[index] = nil
        state.delays[index] = options.minimumReconnectDelay
    }

    /// Moves to the pool after `index`; the pause is `pause`, or the next pool's own backoff when nil.
    private func moveOn(from index: Int, reason: String, pause: Duration?, state: inout State) -> (Duration, Move?) {
        state.failures[index] = 0
        state.lastErrors[index] = reason
        state.redirect = nil
        state.poolIndex = (index + 1) % state.pools.count
        let pause = pause ?? jittered(state.delays[state.poolIndex])
        return (pause, Move(from: state.pools[index], to: state.pools[state.poolIndex], reason: reason))
    }

    private func jittered(_ delay: Duration) -> Duration {
        delay * Double.random(in: 0.8...1.2)
    }

    private func close(_ current: (SessionLink?, (any Channel)?), reason: String) {
        current.0?.noteEnd(reason)
        current.1?.close(promise: nil)
    }

    /// Ends the session once the answers to its shares are in (up to `grace`), or at once when it has no
    /// connection yet.
    private func drainOrClose(_ current: (SessionLink?, (any Channel)?), grace: Duration, reason: String) {
        if current.1 == nil || current.0?.perform({ $0.drain(for: grace, reason: reason) }) != true {
            close(current, reason: reason)
        }
    }

    private func emit(_ event: StratumEvent) {
        if case .dropped = continuation.yield(event) {
            logger.warning("an event was dropped: more than \(options.maximumQueuedEvents) wait to be handled")
        }
    }

    /// A connection failure in words: "connection refused", "timed out after 10 s", "cannot resolve host".
    static func describe(connectError error: any Error) -> String {
        if let error = error as? NIOConnectionError {
            if let first = error.connectionErrors.first { return describe(connectError: first.error) }
            if let dns = error.dnsAError ?? error.dnsAAAAError { return "cannot resolve \(error.host): \(dns)" }
            return "no address for \(error.host)"
        }
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        if let error = error as? StratumError { return error.description }
        if case ChannelError.connectTimeout(let amount) = error { return "timed out after \(amount.nanoseconds / 1_000_000) ms" }
        return "\(error)"
    }

    /// How many TLS contexts clients of this process have built (each pool's settings once).
    package static var tlsContextsBuilt: Int { TLSConnector.contextsBuilt.load(ordering: .relaxed) }

    /// Replaces the password of a `mining.authorize` line with `***` so it never reaches a log.
    package static func maskingPassword(in line: String) -> String { ProtocolDump.maskingPassword(in: line) }
}
