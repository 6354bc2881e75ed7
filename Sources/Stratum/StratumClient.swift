import Guarded
import Foundation
import Logging
import ProofOfWork
import Synchronization

/// A stratum V1 client: connects to the first reachable pool of its list, subscribes, authorizes, turns
/// `mining.notify` into ``Job``s and submits shares, reconnecting with backoff when the line drops.
///
/// Drive it with ``run()`` and read ``events``. Nothing a pool sends stops the receive loop: invalid
/// lines are logged and skipped.
public final class StratumClient: Sendable {
    /// Everything that happens, in order. Finishes when ``run()`` returns.
    public let events: AsyncStream<StratumEvent>
    private let continuation: AsyncStream<StratumEvent>.Continuation
    private let options: StratumClientOptions
    private let logger: Logger
    private let state: Locked<State>
    private let nextRequestID = Atomic<Int64>(1)
    private let stopped = Atomic<Bool>(false)

    private enum Pending: Sendable {
        case subscribe
        case authorize(worker: String)
        case submit(Share)
    }

    private struct State: Sendable {
        var pools: [PoolEndpoint]
        var poolIndex = 0
        var algorithm: any ProofOfWork
        var connection: LineConnection?
        var subscription: Subscription
        var authorizedWorker: String?
        var pending: [Int64: (kind: Pending, sentAt: ContinuousClock.Instant)] = [:]
        var lastPrevhash: [UInt8]?
        var lastNotification: JobNotification?
        var lastLineAt = ContinuousClock.now
        var sessionID: UInt64 = 0
        var redirect: (host: String, port: Int, wait: Duration)?
        var reconnectRequested = false
        /// Set by ``StratumClient/stop(drainingFor:)``: close once no share awaits an answer, or at this time.
        var drainDeadline: ContinuousClock.Instant?
    }

    /// A client for `pools` (tried in order), hashing with `algorithm`.
    public init(pools: [PoolEndpoint], algorithm: any ProofOfWork, options: StratumClientOptions,
                logger: Logger = Logger(label: "nightminer.stratum")) {
        precondition(!pools.isEmpty, "a stratum client needs at least one pool")
        (events, continuation) = AsyncStream.makeStream(of: StratumEvent.self, bufferingPolicy: .unbounded)
        self.options = options
        self.logger = logger
        state = Locked(State(pools: pools, algorithm: algorithm, subscription: Subscription(algorithm: algorithm)))
    }

    /// The pool currently in use (or about to be tried).
    public var currentPool: PoolEndpoint { state.withLock { $0.pools[$0.poolIndex] } }

    /// Replaces the pool list and algorithm and reconnects (used when credentials or the algorithm change).
    public func reconfigure(pools: [PoolEndpoint], algorithm: any ProofOfWork) {
        precondition(!pools.isEmpty, "a stratum client needs at least one pool")
        let connection = state.withLock { state -> LineConnection? in
            state.pools = pools
            state.poolIndex = 0
            state.algorithm = algorithm
            state.reconnectRequested = true
            return state.connection
        }
        connection?.close()
    }

    /// Stops the client: closes the connection; ``run()`` returns soon after.
    public func stop() {
        stopped.store(true, ordering: .sequentiallyConsistent)
        state.withLock { $0.connection }?.close()
    }

    /// Stops the client gracefully: waits up to `grace` for the answers to submitted shares, then closes.
    public func stop(drainingFor grace: Duration) {
        let connection = state.withLock { state -> LineConnection? in
            let waiting = state.pending.values.contains { if case .submit = $0.kind { true } else { false } }
            guard waiting, state.connection != nil else { return nil }
            state.drainDeadline = .now + grace
            return state.connection
        }
        if connection == nil { stop() }
    }

    /// The current connection session (jobs carry the session they arrived on).
    public var session: UInt64 { state.withLock { $0.sessionID } }

    /// Submits a share; returns its ticket, or nil when not connected and authorized, or when `session`
    /// is given and is not the current one (a share found on a previous connection is never sent on a new
    /// one: its extranonce1 may differ).
    public func submit(_ share: Share, session: UInt64? = nil) -> Int64? {
        state.withLock { state -> Int64? in
            guard let connection = state.connection, let worker = state.authorizedWorker else { return nil }
            if let session, session != state.sessionID { return nil }
            let id = nextRequestID.add(1, ordering: .relaxed).oldValue
            let line = StratumMessage.requestLine(id: .number(Double(id)), method: "mining.submit",
                                                  params: share.submitParams(worker: worker))
            state.pending[id] = (.submit(share), .now)
            dump(">", line)
            guard connection.send(line) else {
                state.pending[id] = nil
                return nil
            }
            return id
        }
    }

    /// Connects, runs sessions and reconnects until ``stop()``.
    public func run() async {
        var delay = options.minimumReconnectDelay
        while !stopped.load(ordering: .sequentiallyConsistent) {
            let (pool, redirect) = state.withLock { state in
                let redirect = state.redirect
                state.redirect = nil
                return (state.pools[state.poolIndex], redirect)
            }
            var target = pool
            if let redirect {
                target.host = redirect.host
                target.port = redirect.port
            }
            continuation.yield(.connecting(target))
            let (subscribed, reason) = await session(with: target)
            if stopped.load(ordering: .sequentiallyConsistent) { break }
            continuation.yield(.disconnected(reason))
            let (requested, redirectWait) = state.withLock { state -> (Bool, Duration?) in
                let requested = state.reconnectRequested
                state.reconnectRequested = false
                if !subscribed && !requested && state.pools.count > 1 {
                    state.poolIndex = (state.poolIndex + 1) % state.pools.count
                }
                return (requested, state.redirect?.wait)
            }
            if subscribed || requested { delay = options.minimumReconnectDelay }
            let pause = redirectWait ?? (requested ? .zero : jittered(delay))
            if pause > .zero { logger.info("reconnecting in \(pause)") }
            await sleepUnlessStopped(pause)
            if !subscribed && !requested { delay = min(delay * 2, options.maximumReconnectDelay) }
        }
        continuation.finish()
    }

    private func jittered(_ delay: Duration) -> Duration {
        delay * Double.random(in: 0.8...1.2)
    }

    private func sleepUnlessStopped(_ duration: Duration) async {
        let end = ContinuousClock.now + duration
        while !stopped.load(ordering: .sequentiallyConsistent), ContinuousClock.now < end {
            try? await Task.sleep(for: min(.milliseconds(100), end - ContinuousClock.now))
        }
    }

    /// One connection's life. Returns whether it got subscribed, and why it ended.
    private func session(with pool: PoolEndpoint) async -> (Bool, String) {
        let connection = LineConnection(host: pool.host, port: pool.port, maximumLineBytes: options.maximumLineBytes,
                                        idleMilliseconds: options.tickMilliseconds,
                                        connectTimeoutMilliseconds: options.connectTimeoutMilliseconds)
        state.withLock { state in
            state.connection = connection
            state.drainDeadline = nil
            state.sessionID += 1
            state.subscription = Subscription(algorithm: state.algorithm)
            state.subscription.session = state.sessionID
            state.authorizedWorker = nil
            state.pending = [:]
            state.lastPrevhash = nil
            state.lastNotification = nil
            state.lastLineAt = .now
        }
        if stopped.load(ordering: .sequentiallyConsistent) { connection.close() }
        var subscribed = false
        var reason = "connection closed"
        for await event in connection.events {
            switch event {
            case .connected:
                logger.info("connected to \(pool.host):\(pool.port)")
                continuation.yield(.connected(pool))
                request(connection, .subscribe, method: "mining.subscribe", params: [.string(options.userAgent)])
            case .line(let line):
                dump("<", line)
                state.withLock { $0.lastLineAt = .now }
                if let ended = handle(line: line, connection: connection, pool: pool) {
                    reason = ended
                    connection.close()
                }
                if state.withLock({ $0.subscription.isSubscribed }) { subscribed = true }
            case .oversized(let size):
                logger.warning("dropped a line longer than \(options.maximumLineBytes) bytes (\(size) bytes seen)")
            case .idle:
                if let ended = checkTimers(connection) {
                    reason = ended
                    connection.close()
                }
            case .closed(let why):
                if let why { reason = why }
            }
        }
        let lost = state.withLock { state -> [(Int64, Share)] in
            state.connection = nil
            state.authorizedWorker = nil
            let lost = state.pending.compactMap { id, entry -> (Int64, Share)? in
                if case .submit(let share) = entry.kind { return (id, share) }
                return nil
            }
            state.pending = [:]
            return lost
        }
        for (ticket, share) in lost { continuation.yield(.shareLost(ticket: ticket, share: share)) }
        logger.info("disconnected from \(pool.host):\(pool.port): \(reason)")
        return (subscribed, reason)
    }

    private func request(_ connection: LineConnection, _ kind: Pending, method: String, params: [JSONValue]) {
        let id = nextRequestID.add(1, ordering: .relaxed).oldValue
        state.withLock { $0.pending[id] = (kind, .now) }
        let line = StratumMessage.requestLine(id: .number(Double(id)), method: method, params: params)
        dump(">", line)
        connection.send(line)
    }

    private func respond(_ connection: LineConnection, id: JSONValue, result: JSONValue, error: JSONValue = .null) {
        let line = StratumMessage.responseLine(id: id, result: result, error: error)
        dump(">", line)
        connection.send(line)
    }

    /// Handles one line; returns a reason when the connection must end.
    private func handle(line: String, connection: LineConnection, pool: PoolEndpoint) -> String? {
        let message: StratumMessage
        do {
            message = try StratumMessage.parse(line)
        } catch {
            logger.warning("ignored a line from the pool: \(error)")
            return nil
        }
        switch message {
        case .response(let id, let result, let error, let extra):
            return handleResponse(id: id, result: result, error: error, extra: extra, connection: connection, pool: pool)
        case .request(let id, let method, let params):
            handleRequest(id: id, method: method, params: params, connection: connection, pool: pool)
            return nil
        }
    }

    private func handleResponse(id: JSONValue, result: JSONValue, error: JSONValue, extra: [String: JSONValue],
                                connection: LineConnection, pool: PoolEndpoint) -> String? {
        guard let number = id.integerValue, let entry = state.withLock({ $0.pending.removeValue(forKey: number) }) else {
            logger.debug("ignored a response to unknown id \(id.serialized)")
            return nil
        }
        switch entry.kind {
        case .subscribe:
            guard error.isNull else { return StratumError.subscribeRefused(error.serialized).description }
            do {
                let reply = try Subscription.parseSubscribeResult(result)
                let pendingNotification = try state.withLock { state throws(StratumError) -> JobNotification? in
                    try state.subscription.setSubscription(id: reply.id, extranonce1: reply.extranonce1,
                                                           extranonce2Size: reply.extranonce2Size)
                    return state.lastNotification
                }
                logger.info("subscribed: extranonce1 \(Hex.encode(reply.extranonce1)), extranonce2 size \(reply.extranonce2Size)")
                continuation.yield(.subscribed(extranonce1: reply.extranonce1, extranonce2Size: reply.extranonce2Size))
                request(connection, .authorize(worker: pool.user), method: "mining.authorize",
                        params: [.string(pool.user), .string(pool.password)])
                if let pendingNotification { emitJob(pendingNotification, forceClean: true) }
            } catch {
                return error.description
            }
        case .authorize(let worker):
            if error.isNull, result.boolValue == true {
                state.withLock {
                    $0.authorizedWorker = worker
                    $0.subscription.setWorkerName(worker)
                }
                logger.info("authorized worker \(worker)")
                continuation.yield(.authorized(worker: worker))
            } else {
                let why = error.isNull ? "result \(result.serialized)" : describe(error: error)
                let failure = StratumError.authorizationRefused("worker \(worker): \(why)")
                logger.debug("\(failure)")
                continuation.yield(.authorizationFailed(failure.description))
                return failure.description
            }
        case .submit(let share):
            let outcome = SubmitOutcome(result: result, error: error, extra: extra)
            continuation.yield(.shareResult(ticket: number, share: share, outcome: outcome, roundTrip: entry.sentAt.duration(to: .now)))
        }
        return nil
    }

    private func describe(error: JSONValue) -> String {
        if let items = error.arrayValue, items.count > 1, let text = items[1].stringValue { return text }
        if let text = error["message"]?.stringValue { return text }
        return error.stringValue ?? error.serialized
    }

    private func handleRequest(id: JSONValue, method: String, params: [JSONValue], connection: LineConnection, pool: PoolEndpoint) {
        switch method {
        case "mining.notify":
            do {
                let notification = try JobNotification(params: params)
                let subscribed = state.withLock { state -> Bool in
                    if !state.subscription.isSubscribed { state.lastNotification = notification }
                    return state.subscription.isSubscribed
                }
                if subscribed { emitJob(notification, forceClean: false) }
            } catch {
                logger.warning("ignored mining.notify: \(error)")
            }
        case "mining.set_difficulty":
            guard let difficulty = params.first?.numberValue else {
                logger.warning("ignored mining.set_difficulty: params \(JSONValue.array(params).serialized.prefix(200)) hold no number")
                return
            }
            do {
                try state.withLock { state throws(StratumError) in try state.subscription.setDifficulty(difficulty) }
                logger.info("difficulty \(difficulty)")
                continuation.yield(.difficulty(difficulty))
            } catch {
                logger.warning("ignored mining.set_difficulty: \(error)")
            }
        case "mining.set_extranonce":
            guard params.count >= 2, let text = params[0].stringValue, let extranonce1 = Hex.decode(text),
                  let size = params[1].integerValue, (1...16).contains(size) else {
                logger.warning("ignored mining.set_extranonce with invalid params")
                return
            }
            let last = state.withLock { state -> JobNotification? in
                try? state.subscription.setSubscription(id: state.subscription.id, extranonce1: extranonce1, extranonce2Size: Int(size))
                return state.lastNotification
            }
            if let last { emitJob(last, forceClean: true) }
        case "client.reconnect":
            let host = params.first?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? pool.host
            let port = params.count > 1 ? (params[1].integerValue.map(Int.init) ?? params[1].stringValue.flatMap { Int($0) }) : pool.port
            let wait = params.count > 2 ? params[2].integerValue ?? 0 : 0
            guard host == pool.host, let port, (1...65_535).contains(port) else {
                logger.warning("ignored client.reconnect to another host (\(host)); only the same host is followed")
                return
            }
            logger.info("pool asked to reconnect to port \(port) in \(wait) s")
            state.withLock { $0.redirect = (host, port, .seconds(min(max(wait, 0), 600))) }
            connection.close()
        case "client.show_message":
            let text = params.first?.stringValue ?? JSONValue.array(params).serialized
            logger.notice("message from pool: \(text)")
            continuation.yield(.message(text))
        case "client.get_version":
            respond(connection, id: id, result: .string(options.userAgent))
        case "mining.ping":
            respond(connection, id: id, result: .string("pong"))
        default:
            logger.info("ignored unknown method \(method)")
            if !id.isNull {
                respond(connection, id: id, result: .null, error: .array([.number(20), .string("unsupported method"), .null]))
            }
        }
    }

    private func emitJob(_ notification: JobNotification, forceClean: Bool) {
        let result = state.withLock { state -> Result<(Job, Bool), StratumError> in
            let prevhashChanged = state.lastPrevhash != nil && state.lastPrevhash != notification.prevhash
            state.lastPrevhash = notification.prevhash
            state.lastNotification = notification
            do throws(StratumError) {
                let job = try state.subscription.createJob(notification)
                return .success((job, forceClean || notification.cleanJobs || prevhashChanged))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let (job, clean)):
            logger.debug("job \(job.id)\(clean ? " (clean)" : "") at difficulty \(job.difficulty)")
            continuation.yield(.job(job, clean: clean))
        case .failure(let error):
            logger.warning("cannot build job \(notification.jobID): \(error)")
        }
    }

    private func checkTimers(_ connection: LineConnection) -> String? {
        let now = ContinuousClock.now
        let (silent, expired) = state.withLock { state -> (Bool, [(Int64, Pending)]) in
            let silent = state.lastLineAt.duration(to: now) > options.silenceTimeout
            var expired = [(Int64, Pending)]()
            for (id, entry) in state.pending where entry.sentAt.duration(to: now) > options.responseTimeout {
                expired.append((id, entry.kind))
            }
            for (id, _) in expired { state.pending[id] = nil }
            return (silent, expired)
        }
        for (id, kind) in expired {
            switch kind {
            case .submit(let share):
                logger.warning("share \(id) got no answer within \(options.responseTimeout); counted as lost")
                continuation.yield(.shareLost(ticket: id, share: share))
            case .subscribe:
                return "no answer to mining.subscribe within \(options.responseTimeout)"
            case .authorize:
                return "no answer to mining.authorize within \(options.responseTimeout)"
            }
        }
        if silent { return "nothing received for \(options.silenceTimeout)" }
        if drainComplete(now: now) { stop() }
        return nil
    }

    /// Whether a graceful stop may close now: nothing awaits an answer, or the grace period is over.
    private func drainComplete(now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { state in
            guard let deadline = state.drainDeadline else { return false }
            let waiting = state.pending.values.contains { if case .submit = $0.kind { true } else { false } }
            return !waiting || now >= deadline
        }
    }

    private func dump(_ direction: String, _ line: String) {
        guard options.dumpProtocol else { return }
        logger.info("\(direction == ">" ? "send" : "recv") \(Self.maskingPassword(in: line))")
    }

    /// Replaces the password of a `mining.authorize` line with `***` so it never reaches a log.
    public static func maskingPassword(in line: String) -> String {
        guard line.contains("mining.authorize"), case .request(let id, let method, var params)? = try? StratumMessage.parse(line),
              method == "mining.authorize", params.count > 1 else { return line }
        params[1] = .string("***")
        return StratumMessage.requestLine(id: id, method: method, params: params)
    }
}
