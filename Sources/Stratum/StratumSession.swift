import Logging
import NIOCore
import NIOTLS
import ProofOfWork
import Synchronization

/// One connection's protocol, on the connection's event loop: subscribe, authorize, jobs and difficulty,
/// share submission, the pool's requests, and the session's timers (response timeout, silence watchdog,
/// no job after authorizing, the share drain on stop), which run whatever the traffic.
///
/// Everything here runs on one event loop, so it needs no locks; the client reaches it through
/// ``SessionLink/perform(_:)``. Nothing blocks: lines are written without waiting, and a pool that stops
/// reading is dropped once ``StratumClientOptions/maximumUnsentBytes`` wait to be sent.
package final class StratumSession: ChannelInboundHandler {
    package typealias InboundIn = ByteBuffer
    package typealias OutboundOut = ByteBuffer

    /// What a session is given by its client.
    package struct Settings: Sendable {
        var algorithm: any ProofOfWork
        var options: StratumClientOptions
        /// The subscription to resume (the id from this pool's last session), if any.
        var resumeID: String?
        var requestIDs: RequestIDs
        var emit: @Sendable (StratumEvent) -> Void
        var dump: ProtocolDump
        var logger: Logger
        /// A failback probe: leave as soon as the pool has authorized the worker.
        var probe = false
    }

    private let link: SessionLink
    private let settings: Settings
    private var context: ChannelHandlerContext?
    private var subscription: Subscription
    private var pending = PendingRequests()
    private var lastPrevhash: [UInt8]?
    private var lastNotification: JobNotification?
    private var pendingExtranonce: (extranonce1: [UInt8], size: Int)?
    private var lastLineAt = ContinuousClock.now
    private var authorizedAt: ContinuousClock.Instant?
    private var gotJob = false
    private var drainDeadline: ContinuousClock.Instant?
    private var timer: RepeatedTask?

    private var pool: PoolEndpoint { link.pool }
    private var options: StratumClientOptions { settings.options }
    private var logger: Logger { settings.logger }

    /// A session for the connection `link` names.
    package init(link: SessionLink, settings: Settings) {
        self.link = link
        self.settings = settings
        subscription = Subscription(algorithm: settings.algorithm)
        subscription.session = link.sessionID
        Self.live.add(1, ordering: .relaxed)
    }

    deinit { Self.live.subtract(1, ordering: .relaxed) }

    /// Sessions in memory in this process (``StratumClient/liveSessions``).
    static let live = Atomic<Int>(0)

    // MARK: Channel events

    package func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    package func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        link.detach()
    }

    package func channelActive(context: ChannelHandlerContext) {
        link.attach(NIOLoopBound(self, eventLoop: context.eventLoop))
        lastLineAt = .now
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let tick = TimeAmount.milliseconds(Int64(options.tickMilliseconds))
        timer = context.eventLoop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { _ in bound.value.tick() }
        // Over TLS nothing is sent before the pool's certificate has been verified.
        if pool.tls == nil { begin() }
        context.fireChannelActive()
    }

    package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event { begin() }
        context.fireUserInboundEventTriggered(event)
    }

    /// The connection is ready (TCP up, TLS verified): subscribe.
    private func begin() {
        settings.emit(.connected(pool))
        var params: [JSONValue] = [.string(options.userAgent)]
        if let resumeID = settings.resumeID { params.append(.string(resumeID)) }
        request(.subscribe, method: "mining.subscribe", params: params)
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = String(buffer: unwrapInboundIn(data))
        settings.dump.received(line)
        lastLineAt = .now
        handle(line: line)
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        end((error as? StratumError)?.description ?? TLSConnector.describe(error, host: pool.host) ?? "\(error)")
    }

    package func channelWritabilityChanged(context: ChannelHandlerContext) {
        if !context.channel.isWritable {
            end("the pool stopped reading: more than \(options.maximumUnsentBytes) bytes wait to be sent")
        }
        context.fireChannelWritabilityChanged()
    }

    package func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        link.detach()
        for (ticket, share) in pending.removeAll() { settings.emit(.shareLost(ticket: ticket, share: share, pool: pool)) }
        link.noteEnd("the pool closed the connection")
        context.fireChannelInactive()
    }

    // MARK: Asked by the client (on this loop)

    /// Sends a share under `ticket`; a share that can no longer be sent (the session is closing) is reported
    /// lost at once.
    package func submit(_ share: Share, ticket: Int64) {
        guard drainDeadline == nil, let worker = link.authorizedWorker, let context, context.channel.isActive else {
            settings.emit(.shareLost(ticket: ticket, share: share, pool: pool))
            return
        }
        record(ticket, .submit(share))
        write(StratumMessage.requestLine(id: .number(Double(ticket)), method: "mining.submit", params: share.submitParams(worker: worker)))
    }

    /// Sends nothing more and closes, with `reason`, once no share awaits its verdict, or after `grace`.
    func drain(for grace: Duration, reason: String) {
        link.noteEnd(reason)
        drainDeadline = .now + grace
        closeIfDrained()
    }

    /// Ends the session now with `reason`.
    package func end(_ reason: String) {
        link.noteEnd(reason)
        context?.close(promise: nil)
    }

    // MARK: Protocol

    private func write(_ line: String) {
        guard let context, context.channel.isActive else { return }
        settings.dump.sent(line)
        context.writeAndFlush(wrapOutboundOut(LineChannel.buffer(line, allocator: context.channel.allocator)), promise: nil)
    }

    private func record(_ id: Int64, _ kind: PendingRequests.Kind) {
        if let (ticket, share) = pending.add(id, kind) {
            logger.warning("more than \(pending.capacity) requests await answers; share \(ticket) counted as lost")
            settings.emit(.shareLost(ticket: ticket, share: share, pool: pool))
        }
        reportOldestUnanswered()
    }

    /// Publishes when the oldest request still waiting was sent (for `/stats`), at once on every send and
    /// answer rather than at the next tick.
    private func reportOldestUnanswered() {
        let oldest = pending.oldestSentAt
        link.report.withLock { $0.oldestUnansweredSince = oldest }
    }

    private func request(_ kind: PendingRequests.Kind, method: String, params: [JSONValue]) {
        let id = settings.requestIDs.next()
        record(id, kind)
        write(StratumMessage.requestLine(id: .number(Double(id)), method: method, params: params))
    }

    private func respond(id: JSONValue, result: JSONValue, error: JSONValue = .null) {
        write(StratumMessage.responseLine(id: id, result: result, error: error))
    }

    private func handle(line: String) {
        let message: StratumMessage
        do {
            message = try StratumMessage.parse(line)
        } catch {
            logger.warning("ignored a line from the pool: \(error)")
            return
        }
        switch message {
        case .response(let id, let result, let error, let extra):
            handleResponse(id: id, result: result, error: error, extra: extra)
        case .request(let id, let method, let params):
            handleRequest(id: id, method: method, params: params)
        }
    }

    private func handleResponse(id: JSONValue, result: JSONValue, error: JSONValue, extra: [String: JSONValue]) {
        guard let number = id.integerValue, let entry = pending.remove(number) else {
            logger.debug("ignored a response to unknown id \(id.serialized)")
            return
        }
        reportOldestUnanswered()
        switch entry.kind {
        case .subscribe:
            guard error.isNull else { return end(StratumError.subscribeRefused(error.serialized).description) }
            do {
                let reply = try Subscription.parseSubscribeResult(result)
                try subscription.setSubscription(id: reply.id, extranonce1: reply.extranonce1, extranonce2Size: reply.extranonce2Size)
                link.report.withLock { report in
                    report.subscribed = true
                    report.subscriptionID = reply.id
                }
                logger.info("subscribed: extranonce1 \(Hex.encode(reply.extranonce1)), extranonce2 size \(reply.extranonce2Size)")
                settings.emit(.subscribed(extranonce1: reply.extranonce1, extranonce2Size: reply.extranonce2Size))
                if let difficulty = pool.suggestDifficulty {
                    request(.suggestDifficulty, method: "mining.suggest_difficulty", params: [.number(difficulty)])
                }
                request(.authorize(worker: pool.user), method: "mining.authorize", params: [.string(pool.user), .string(pool.password)])
                if let notification = lastNotification { emitJob(notification, forceClean: true) }
            } catch {
                end(error.description)
            }
        case .authorize(let worker):
            if error.isNull, result.boolValue == true {
                subscription.setWorkerName(worker)
                authorizedAt = .now
                link.report.withLock { $0.authorizedWorker = worker }
                if settings.probe { return end("probe succeeded") }
                logger.debug("authorized worker \(worker)")
                settings.emit(.authorized(worker: worker))
                if pool.extranonceSubscribe {
                    request(.extranonceSubscribe, method: "mining.extranonce.subscribe", params: [])
                }
            } else {
                let why = error.isNull ? "result \(result.serialized)" : Self.describe(error: error)
                let failure = PoolText.bounded(StratumError.authorizationRefused("worker \(worker): \(why)").description)
                link.report.withLock { $0.authorizationRefused = failure }
                settings.emit(.authorizationFailed(pool: pool, reason: failure))
                end(failure)
            }
        case .extranonceSubscribe:
            logger.debug("mining.extranonce.subscribe: \(error.isNull ? result.serialized : Self.describe(error: error))")
        case .suggestDifficulty:
            logger.debug("mining.suggest_difficulty: \(error.isNull ? result.serialized : Self.describe(error: error))")
        case .submit(let share):
            let outcome = SubmitOutcome(result: result, error: error, extra: extra)
            settings.emit(.shareResult(ticket: number, share: share, pool: pool, outcome: outcome, roundTrip: entry.sentAt.duration(to: .now)))
            closeIfDrained()
        }
    }

    private static func describe(error: JSONValue) -> String {
        if let items = error.arrayValue, items.count > 1, let text = items[1].stringValue { return text }
        if let text = error["message"]?.stringValue { return text }
        return error.stringValue ?? error.serialized
    }

    private func handleRequest(id: JSONValue, method: String, params: [JSONValue]) {
        switch method {
        case "mining.notify":
            do {
                let notification = try JobNotification(params: params)
                if subscription.isSubscribed {
                    emitJob(notification, forceClean: false)
                } else {
                    lastNotification = notification
                }
            } catch {
                logger.warning("ignored mining.notify: \(error)")
            }
        case "mining.set_difficulty":
            guard let difficulty = params.first?.numberValue else {
                logger.warning("ignored mining.set_difficulty: params \(JSONValue.array(params).serialized.prefix(200)) hold no number")
                return
            }
            let floor = Self.minimumDifficulty(for: settings.algorithm, options: options)
            guard difficulty >= floor else {
                logger.warning("ignored mining.set_difficulty \(difficulty): below \(settings.algorithm.name)'s floor of \(floor) (a share per \(Int(options.minimumHashesPerShare)) hashes)")
                return
            }
            do {
                try subscription.setDifficulty(difficulty)
                logger.info("difficulty \(difficulty)")
                settings.emit(.difficulty(difficulty))
            } catch {
                logger.warning("ignored mining.set_difficulty: \(error)")
            }
        case "mining.set_extranonce":
            guard params.count >= 2, let text = params[0].stringValue, let extranonce1 = Hex.decode(text), extranonce1.count <= 32,
                  let size = params[1].integerValue, (1...16).contains(size) else {
                logger.warning("ignored mining.set_extranonce with invalid params")
                return
            }
            logger.info("new extranonce1 \(Hex.encode(extranonce1)) (extranonce2 size \(size)), from the next job")
            pendingExtranonce = (extranonce1, Int(size))
        case "client.reconnect":
            followReconnect(params)
        case "client.show_message":
            let text = PoolText.bounded(params.first?.stringValue ?? JSONValue.array(params).serialized)
            logger.notice("message from pool: \(text)")
            settings.emit(.message(text))
        case "client.get_version":
            respond(id: id, result: .string(options.userAgent))
        case "mining.ping":
            respond(id: id, result: .string("pong"))
        default:
            logger.info("ignored unknown method \(String(method.prefix(64)))")
            if !id.isNull {
                respond(id: id, result: .null, error: .array([.number(20), .string("unsupported method"), .null]))
            }
        }
    }

    private func followReconnect(_ params: [JSONValue]) {
        let host = params.first?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? pool.host
        let port = params.count > 1 ? (params[1].integerValue.map(Int.init) ?? params[1].stringValue.flatMap { Int($0) }) : pool.port
        let wait = params.count > 2 ? (params[2].integerValue ?? params[2].stringValue.flatMap { Int64($0) } ?? 0) : 0
        guard let port, (1...65_535).contains(port) else {
            logger.warning("ignored client.reconnect with an invalid port")
            return
        }
        guard host == pool.host || options.allowRedirect else {
            logger.warning("ignored client.reconnect to another host (\(String(host.prefix(100)))); only the same host is followed without --allow-redirect")
            return
        }
        guard host.utf8.count <= 253, host.allSatisfy({ $0.isLetter || $0.isNumber || ".-_:".contains($0) }) else {
            logger.warning("ignored client.reconnect to an invalid host name")
            return
        }
        let pause = Duration.seconds(min(max(wait, 0), 600))
        link.report.withLock { $0.redirect = .init(pool: pool, host: host, port: port, wait: pause) }
        // The answers to shares already sent still count: wait for them (briefly) before leaving.
        drain(for: options.reconnectGrace, reason: "the pool asked to reconnect to \(host):\(port) in \(pause)")
    }

    private func emitJob(_ notification: JobNotification, forceClean: Bool) {
        var clean = forceClean || notification.cleanJobs
        if let (extranonce1, size) = pendingExtranonce {
            pendingExtranonce = nil
            do {
                try subscription.setSubscription(id: subscription.id, extranonce1: extranonce1, extranonce2Size: size)
                clean = true  // jobs built with the old extranonce1 are void
            } catch {
                logger.warning("ignored mining.set_extranonce: \(error)")
            }
        }
        if let lastPrevhash, lastPrevhash != notification.prevhash { clean = true }
        lastPrevhash = notification.prevhash
        lastNotification = notification
        do {
            let job = try subscription.createJob(notification)
            gotJob = true
            link.report.withLock { $0.gotJob = true }
            logger.debug("job \(job.id)\(clean ? " (clean)" : "") at difficulty \(job.difficulty)")
            settings.emit(.job(job, clean: clean))
        } catch {
            logger.warning("cannot build job \(notification.jobID): \(error)")
        }
    }

    // MARK: Timers

    private func tick() {
        let now = ContinuousClock.now
        var unanswered: String?
        var lostShares = 0
        for (id, entry) in pending.expire(olderThan: options.responseTimeout, now: now) {
            switch entry.kind {
            case .submit(let share):
                settings.emit(.shareLost(ticket: id, share: share, pool: pool))
                lostShares += 1
                unanswered = unanswered ?? "mining.submit"
            case .subscribe:
                unanswered = "mining.subscribe"
            case .authorize:
                unanswered = "mining.authorize"
            case .extranonceSubscribe, .suggestDifficulty:
                break  // optional methods some pools never answer
            }
        }
        if let unanswered {
            // Lines from the pool (pings, jobs) do not make it responsive: it stopped answering us.
            let inFlight = lostShares + pending.submitCount
            link.report.withLock { $0.unresponsive = true }
            logger.warning("the pool did not answer \(unanswered) within \(options.responseTimeout): unresponsive, closing the session; \(inFlight) share\(inFlight == 1 ? "" : "s") in flight counted as lost")
            return end("unresponsive: no answer to \(unanswered) within \(options.responseTimeout)")
        }
        reportOldestUnanswered()
        if lastLineAt.duration(to: now) > options.silenceTimeout {
            return end("nothing received for \(options.silenceTimeout)")
        }
        if !gotJob, let authorizedAt, authorizedAt.duration(to: now) > options.jobTimeout {
            return end("no job within \(options.jobTimeout) of authorizing")
        }
        closeIfDrained(now: now)
    }

    /// The lowest difficulty accepted from the pool for `algorithm`: one share per
    /// ``StratumClientOptions/minimumHashesPerShare`` expected hashes, in the algorithm's own units.
    static func minimumDifficulty(for algorithm: any ProofOfWork, options: StratumClientOptions) -> Double {
        options.minimumHashesPerShare * algorithm.difficultyScale / 4_294_967_296
    }

    private func closeIfDrained(now: ContinuousClock.Instant = .now) {
        guard let drainDeadline, !pending.awaitsShares || now >= drainDeadline else { return }
        context?.close(promise: nil)  // drain(for:reason:) noted why
    }
}

extension StratumSession.Settings {
    /// Settings for a session on its own (protocol tests): request ids from 1, no dump, no log.
    package init(algorithm: any ProofOfWork, options: StratumClientOptions, resumeID: String? = nil,
                 emit: @escaping @Sendable (StratumEvent) -> Void) {
        self.init(algorithm: algorithm, options: options, resumeID: resumeID, requestIDs: RequestIDs(), emit: emit,
                  dump: ProtocolDump(enabled: false, logger: Logger(label: "nightminer.session")),
                  logger: Logger(label: "nightminer.session", factory: { _ in SwiftLogNoOpLogHandler() }))
    }
}
