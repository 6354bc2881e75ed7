import Guarded
import Dispatch
import Logging
import ServiceLifecycle
import MiningEngine
import ProofOfWork
import Stratum
import Synchronization

/// The composition root: a stratum client and a hashing engine wired together.
///
/// Jobs flow pool → ``Miner`` → engine threads; shares flow threads → ``Miner`` → pool. `Stratum` and
/// `MiningEngine` never see each other; this type is the only glue. The library face of the original
/// nightminer's `Miner(url, username, password, algorithm)`.
public final class Miner: Service, Sendable {
    /// The algorithms this miner can use (register plug-ins here before ``run()``).
    public let registry: AlgorithmRegistry
    /// The hashing engine (its ledger holds the share counts).
    package let engine: MiningEngine
    private let configuration: Locked<MinerConfiguration>
    private let logger: Logger
    private let status = Locked(Status())
    private let client = Locked<StratumClient?>(nil)
    private let stopRequested = Atomic<Bool>(false)
    private let observers = Locked<[@Sendable (MinerEvent) -> Void]>([])

    private struct Status: Sendable {
        var running = false
        var startedAt: ContinuousClock.Instant?
        /// Recent jobs by engine key (``Miner/key(_:)``), the newest last in ``recordOrder``.
        var records: [String: JobRecord] = [:]
        var recordOrder: [String] = []
        /// How far each job got and which shares were sent, across sessions.
        var book = WorkBook()
        /// Shares found for jobs whose session ended, kept until the pool sends the job again.
        var held: [HeldShare] = []
        var current: MinerSnapshot.JobInfo?
        var difficulty: Double = 1
        var connectedSince: ContinuousClock.Instant?
        var authorized = false
        var lastRoundTrip: Duration?
        var lastError: String?
        /// Pools that refused the worker since the last successful authorization.
        var refusedBy: Set<String> = []
        /// The pool of the current (or last) connection.
        var pool: PoolEndpoint?
        var failure: MinerError?
    }

    /// A job the miner received, and where it stands.
    private struct JobRecord: Sendable {
        enum State: Sendable {
            /// Mined on the current session.
            case live
            /// Its session ended: the pool may send it again on a resumed session (shares found for it are held).
            case suspended
            /// Superseded (a clean job, another pool or extranonce1): shares found for it are stale.
            case void
        }

        var job: Job
        /// The target in force: the job's, or stricter after a difficulty rise.
        var target: Target
        var identity: WorkBook.Identity
        /// The pool it came from (a share found for it counts for that pool, whatever happened since).
        var pool: PoolEndpoint?
        var state: State
    }

    /// A share found for a suspended job.
    private struct HeldShare: Sendable {
        var found: FoundShare
        var identity: WorkBook.Identity
        var pool: PoolEndpoint?
        var since: ContinuousClock.Instant
    }

    /// Jobs remembered (their shares can still be attributed), and shares held while reconnecting.
    private static let maximumRecords = 64
    private static let maximumHeldShares = 256
    /// How long a held share waits for its job to come back.
    private static let holdLimit: Duration = .seconds(120)

    /// A miner for one pool, like the original's `Miner(url, username, password, algorithm)`.
    public convenience init(url: String, username: String, password: String, algorithm: String = "scrypt",
                            threads: Int = MinerConfiguration.defaultThreadCount, registry: AlgorithmRegistry = .standard(),
                            logger: Logger = Logger(label: "nightminer")) throws {
        let pool = try PoolEndpoint(url: url, user: username, password: password)
        try self.init(configuration: MinerConfiguration(pools: [pool], algorithm: algorithm, threads: threads),
                      registry: registry, logger: logger)
    }

    /// A miner for a configuration. Throws when the algorithm is not in `registry` or a value is invalid.
    public init(configuration: MinerConfiguration, registry: AlgorithmRegistry = .standard(),
                logger: Logger = Logger(label: "nightminer")) throws(MinerError) {
        try Self.validate(configuration, registry: registry)
        self.registry = registry
        self.configuration = Locked(configuration)
        self.logger = logger
        engine = MiningEngine(logger: logger)
        engine.onKernelSwitch { [weak self] made in self?.publish(.kernelSwitch(made)) }
    }

    static func validate(_ configuration: MinerConfiguration, registry: AlgorithmRegistry) throws(MinerError) {
        for name in [configuration.algorithm] + configuration.pools.compactMap(\.algorithm) where registry.algorithm(named: name) == nil {
            throw .unknownAlgorithm(name, known: registry.names)
        }
        guard !configuration.pools.isEmpty else { throw .invalidConfiguration("no pool configured") }
        if let problem = MinerConfiguration.threadProblem(configuration.threads) { throw .invalidConfiguration(problem) }
    }

    /// Calls `handler` with every ``MinerEvent`` from now on, in order, on the miner's event task: it must
    /// be quick and must not wait.
    public func observe(_ handler: @escaping @Sendable (MinerEvent) -> Void) {
        observers.withLock { $0.append(handler) }
    }

    private func publish(_ event: MinerEvent) {
        for handler in observers.withLock({ $0.map { $0 } }) { handler(event) }
    }

    /// Mines until ``stop()`` (or, with `stopOnAuthorizationFailure`, until every pool refuses the worker).
    /// In a `ServiceGroup` (the miner is a `Service`), the group's graceful shutdown or cancellation stops it
    /// the same way.
    public func run() async throws {
        let run = launch()
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler { try await run.value } onGracefulShutdown: { self.stop() }
        } onCancel: {
            self.stop()
        }
    }

    /// Starts mining and returns at once with the run's task, which ends when ``stop()`` does (or throws
    /// what ended it). The run counts as started before this returns, so a ``stop()`` that follows, however
    /// soon, stops it; a ``stop()`` that came before does not. One run at a time: launching while a run
    /// is in progress gives a task that fails with ``MinerError/invalidConfiguration(_:)``.
    public func launch() -> Task<Void, any Error> {
        let configuration = configuration.withLock { $0 }
        guard let algorithm = registry.algorithm(named: configuration.algorithm) else {
            return Task { throw MinerError.unknownAlgorithm(configuration.algorithm, known: registry.names) }
        }
        let started = status.withLock { status -> Bool in
            guard !status.running else { return false }
            status = Status()
            status.running = true
            status.startedAt = .now
            return true
        }
        guard started else { return Task { throw MinerError.invalidConfiguration("the miner is already running") } }
        stopRequested.store(false, ordering: .sequentiallyConsistent)
        return Task { try await self.mine(configuration, algorithm: algorithm) }
    }

    /// One run, once ``launch()`` has marked it started.
    private func mine(_ configuration: MinerConfiguration, algorithm: any ProofOfWork) async throws {
        var options = configuration.client
        options.dumpProtocol = configuration.dumpProtocol
        let client = StratumClient(pools: configuration.pools, algorithm: algorithm, registry: registry, options: options, logger: logger)
        self.client.withLock { $0 = client }
        let shares = engine.makeShareStream()
        engine.start(threads: configuration.threads)
        if stopRequested.load(ordering: .sequentiallyConsistent) {
            // stop() came between launch() and here: it may have missed the new share stream.
            engine.stop()
            engine.closeShareStream()
        }
        publish(.started)
        logger.info("mining \(configuration.pools[0].algorithm ?? algorithm.name) on \(configuration.pools[0]) with \(configuration.threads) thread\(configuration.threads == 1 ? "" : "s")")
        let ticker = configuration.statusInterval.map { interval in
            Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    if !Task.isCancelled { self.logger.notice("\(self.statusLine())") }
                }
            }
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            group.addTask { for await event in client.events { self.handle(event, client: client) } }
            group.addTask {
                // Ends when stop() closes the share stream, after the shares already found were submitted;
                // then the client waits briefly for their verdicts before it disconnects.
                for await share in shares { self.submit(share, client: client) }
                client.stop(drainingFor: .seconds(3))
            }
            await group.waitForAll()
        }
        ticker?.cancel()
        engine.stop()
        await engine.stopped()
        engine.withdrawWork()
        engine.closeShareStream()
        self.client.withLock { $0 = nil }
        let failure = status.withLock { status -> MinerError? in
            status.running = false
            status.current = nil
            status.connectedSince = nil
            return status.failure
        }
        publish(.stopped)
        if let failure { throw failure }
    }

    /// Applies a new configuration; while running, a change of pools, credentials or algorithm reconnects
    /// and a change of thread count restarts the hashing threads. Share statistics are kept.
    public func update(_ newConfiguration: MinerConfiguration) throws(MinerError) {
        try Self.validate(newConfiguration, registry: registry)
        let old = configuration.withLock { configuration -> MinerConfiguration in
            let old = configuration
            configuration = newConfiguration
            return old
        }
        guard isRunning, let client = client.withLock({ $0 }) else { return }
        engine.ledger.keepPools(Set(newConfiguration.pools.map(Self.ledgerKey)))
        if old.pools != newConfiguration.pools || old.algorithm != newConfiguration.algorithm,
           let algorithm = registry.algorithm(named: newConfiguration.algorithm) {
            logger.notice("reconnecting with the new pool settings (\(newConfiguration.pools[0]), \(algorithm.name))")
            client.reconfigure(pools: newConfiguration.pools, algorithm: algorithm)
        }
        if old.threads != newConfiguration.threads { engine.start(threads: newConfiguration.threads) }
    }

    /// The configuration in force.
    public var currentConfiguration: MinerConfiguration { configuration.withLock { $0 } }

    /// Runs ``run()`` on the calling thread until it ends.
    public func runBlocking() throws {
        let outcome = Locked<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do { try await self.run() } catch { outcome.withLock { $0 = error } }
            done.signal()
        }
        done.wait()
        if let error = outcome.withLock({ $0 }) { throw error }
    }

    /// Stops mining: stops the hashing threads, submits the shares already found, waits up to 3 s for
    /// the pool's verdicts, then disconnects; ``run()`` returns.
    public func stop() {
        stopRequested.store(true, ordering: .sequentiallyConsistent)
        engine.stop()
        engine.closeShareStream()
    }

    /// Every configured pool with where it stands (all standby while not running) and its share counts.
    public var pools: [MinerSnapshot.PoolStanding] {
        let statuses = client.withLock { $0?.poolStatuses }
            ?? configuration.withLock { $0.pools }.map { PoolStatus(pool: $0, state: .standby, failures: 0, lastError: nil) }
        return statuses.map { .init(status: $0, shares: engine.ledger.statistics(forPool: Self.ledgerKey($0.pool))) }
    }

    /// How the ledger names a pool: its URL and worker (the same pool with other credentials counts apart).
    static func ledgerKey(_ pool: PoolEndpoint) -> String { "\(pool.url) \(pool.user)" }

    /// Whether ``run()`` is in progress.
    public var isRunning: Bool { status.withLock { $0.running } }

    /// A consistent view of the miner's state.
    public var snapshot: MinerSnapshot {
        let configuration = configuration.withLock { $0 }
        let client = client.withLock { $0 }
        let pool = client?.currentPool ?? configuration.pools[0]
        let oldestUnanswered = client?.oldestUnansweredRequest
        let algorithm = pool.algorithm ?? configuration.algorithm
        let kernel = registry.algorithm(named: algorithm).map { engine.kernelInForce(for: $0) } ?? "none"
        let review = engine.kernelReview
        let pools = pools
        return status.withLock { status in
            let state: MinerSnapshot.State = !status.running ? .stopped : (status.current != nil && status.authorized ? .mining : .connecting)
            return MinerSnapshot(
                state: state, startedAt: status.startedAt, algorithm: algorithm, kernel: kernel,
                threads: status.running ? engine.threadCount : 0, hashrate: engine.hashrate, shares: engine.ledger.snapshot,
                job: status.current,
                pool: .init(url: pool.url, user: pool.user, connected: status.authorized, connectedSince: status.connectedSince,
                            lastShareRoundTrip: status.lastRoundTrip, lastError: status.lastError,
                            oldestUnansweredRequest: oldestUnanswered),
                difficulty: status.difficulty, pools: pools, kernelReview: review)
        }
    }

    /// One status line: hashrate, shares, difficulty (what the CLI prints periodically).
    public func statusLine() -> String {
        let snapshot = snapshot
        let shares = snapshot.shares
        var line = "\(Self.formatRate(snapshot.hashrate.tenSeconds)) (60 s \(Self.formatRate(snapshot.hashrate.oneMinute)))"
        line += ", accepted \(shares.accepted), rejected \(shares.rejectedTotal)"
        if shares.stale > 0 { line += ", stale \(shares.stale)" }
        if shares.lost > 0 { line += ", lost \(shares.lost)" }
        line += ", difficulty \(Self.formatNumber(snapshot.difficulty))"
        if snapshot.state != .mining { line += " [\(snapshot.state.rawValue)]" }
        return line
    }

    /// `12.35 MH/s` style.
    public static func formatRate(_ rate: Double) -> String {
        let units = ["H/s", "kH/s", "MH/s", "GH/s", "TH/s"]
        var value = rate
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return formatNumber(value, digits: 2) + " " + units[unit]
    }

    static func formatNumber(_ value: Double, digits: Int = 6) -> String {
        if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        var text = String(value)
        if let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) > digits + 1, !text.contains("e") {
            text = String(text[...text.index(dot, offsetBy: digits)])
        }
        return text
    }

    private func handle(_ event: StratumEvent, client: StratumClient) {
        switch event {
        case .connecting(let pool):
            logger.info("connecting to \(pool)")
        case .connected(let pool):
            status.withLock { status in
                status.lastError = nil
                status.pool = pool
            }
        case .subscribed:
            break
        case .authorized(let worker):
            status.withLock { status in
                status.authorized = true
                status.connectedSince = .now
                status.refusedBy = []
            }
            logger.notice("authorized as \(worker)")
            if let pool = status.withLock({ $0.pool }) { publish(.poolConnected(pool: pool.url)) }
            submitHeldShares(client: client)
        case .authorizationFailed(let pool, let why):
            let (stopOnRefusal, pools) = configuration.withLock { ($0.stopOnAuthorizationFailure, $0.pools.count) }
            let stop = status.withLock { status -> Bool in
                status.lastError = why
                status.refusedBy.insert(pool.url)
                // Only when every pool refused the worker: a backup pool may still take it.
                guard stopOnRefusal, status.refusedBy.count >= pools else { return false }
                status.failure = .authorizationRefused(why)
                return true
            }
            if stop {
                client.stop()
                self.stop()
            } else {
                logger.error("\(why)")
            }
        case .job(let job, let clean):
            accept(job, clean: clean)
            submitHeldShares(client: client)
        case .difficulty(let difficulty):
            tighten(to: difficulty)
            publish(.difficulty(difficulty))
        case .shareResult(_, let share, let pool, let outcome, let roundTrip):
            status.withLock { $0.lastRoundTrip = roundTrip }
            let milliseconds = roundTrip.inSeconds * 1000
            switch outcome {
            case .accepted:
                count(.accepted, pool: pool, credit: share.targetDifficulty, roundTrip: roundTrip)
                logger.notice("accepted share \(share.displayHash.prefix(16))… job \(share.jobID) (\(Self.formatNumber(milliseconds, digits: 1)) ms) — \(statusLine())")
            case .rejected(let reason):
                count(.rejected(reason: reason.key), pool: pool, roundTrip: roundTrip)
                logger.warning("rejected share job \(share.jobID): \(reason) — \(statusLine())")
            }
        case .shareLost(_, _, let pool):
            count(.lost, pool: pool)
        case .message(let text):
            logger.notice("pool says: \(text)")
        case .failover(let from, let to, let reason):
            publish(.failover(from: from.url, to: to.url, reason: reason))
        case .disconnected(let why):
            engine.withdrawWork()
            let pool = status.withLock { status in
                status.authorized = false
                status.connectedSince = nil
                status.current = nil
                // The pool may resume the session and send these jobs again: shares found meanwhile are held.
                for key in status.recordOrder where status.records[key]?.state == .live { status.records[key]?.state = .suspended }
                if status.lastError == nil || !why.isEmpty { status.lastError = why }
                return status.pool
            }
            if let pool { publish(.poolDisconnected(pool: pool.url, reason: why)) }
            if !stopRequested.load(ordering: .sequentiallyConsistent) { logger.warning("pool connection lost: \(why)") }
        }
    }

    /// Counts a share's fate in the ledger (for its pool when known; `credit` is an accepted share's
    /// difficulty) and tells the observers.
    private func count(_ outcome: MinerEvent.ShareOutcome, pool: PoolEndpoint?, credit: Double = 0, roundTrip: Duration? = nil) {
        let key = pool.map(Self.ledgerKey)
        switch outcome {
        case .accepted: engine.ledger.accepted(poolDifficulty: credit, pool: key)
        case .rejected(let reason): engine.ledger.rejected(reason: reason, pool: key)
        case .stale: engine.ledger.stale(pool: key)
        case .lost: engine.ledger.lost(pool: key)
        case .invalid: engine.ledger.invalid()
        }
        publish(.share(pool: pool?.url ?? "", outcome: outcome, roundTrip: roundTrip))
    }

    /// A job's identity across connections: pools reuse job IDs after a reconnect, so the session is part
    /// of it (the engine and the job table use this key; the pool sees the plain job ID).
    static func key(_ job: Job) -> String { "\(job.session):\(job.id)" }

    /// Records a job and puts it on the engine, continuing where the threads stopped when the pool sent
    /// the same job before (a resumed session).
    private func accept(_ job: Job, clean: Bool) {
        let (progress, resumed, stale) = status.withLock { status -> (WorkProgress, Bool, [HeldShare]) in
            let identity = WorkBook.Identity(pool: status.pool.map(Self.ledgerKey) ?? "", job: job)
            for key in status.recordOrder {
                guard let record = status.records[key], record.state != .void else { continue }
                // A clean job voids every other; a job from another pool or extranonce1 voids what a session
                // before it left suspended.
                if clean || (record.state == .suspended && (record.pool != status.pool || record.job.extranonce1 != job.extranonce1)) {
                    status.records[key]?.state = .void
                }
            }
            let (progress, resumed) = status.book.progress(for: identity)
            let key = Self.key(job)
            if status.records[key] == nil { status.recordOrder.append(key) }
            status.records[key] = JobRecord(job: job, target: job.target, identity: identity, pool: status.pool, state: .live)
            while status.recordOrder.count > Self.maximumRecords { status.records[status.recordOrder.removeFirst()] = nil }
            status.difficulty = job.difficulty
            status.current = .init(id: job.id, receivedAt: .now, difficulty: job.difficulty, target: job.target, clean: clean,
                                   extranonce2Size: job.extranonce2Size)
            return (progress, resumed, Self.dropVoidHeldShares(&status))
        }
        for share in stale { count(.stale, pool: share.pool) }
        if !stale.isEmpty { logger.info("dropped \(stale.count) held share\(stale.count == 1 ? "" : "s"): the pool did not send their job again") }
        if resumed {
            logger.notice("job \(job.id) came again on a resumed session: continuing it where the threads stopped (\(progress.claimed) nonces claimed)")
        }
        logger.debug("new job \(job.id)\(clean ? " (clean)" : "") difficulty \(job.difficulty)")
        publish(.job(id: job.id, difficulty: job.difficulty, clean: clean))
        engine.publish(MiningWork(jobID: Self.key(job), algorithm: job.algorithm, target: job.target, progress: progress) { counter in
            job.header(extranonce2: job.extranonce2(counter))
        })
    }

    /// Removes the held shares whose job can no longer come back (void, forgotten or held too long).
    private static func dropVoidHeldShares(_ status: inout Status) -> [HeldShare] {
        let now = ContinuousClock.now
        var dropped = [HeldShare]()
        let records = status.records
        status.held.removeAll { share in
            let waiting = records.values.contains { $0.identity == share.identity && $0.state != .void }
            guard !waiting || share.since.duration(to: now) > holdLimit else { return false }
            dropped.append(share)
            return true
        }
        return dropped
    }

    /// A new difficulty applies to the next job; running jobs keep the stricter of theirs and it.
    private func tighten(to difficulty: Double) {
        let update = status.withLock { status -> (String, Target)? in
            status.difficulty = difficulty
            // Each live job in its own algorithm's units (a backup pool may mine another algorithm).
            for key in status.recordOrder {
                guard let record = status.records[key], record.state == .live,
                      let newTarget = record.job.algorithm.target(forDifficulty: difficulty) else { continue }
                status.records[key]?.target = Target.stricter(record.target, newTarget)
            }
            guard var current = status.current, let key = status.recordOrder.last, let record = status.records[key], record.state == .live else {
                return nil
            }
            current.target = record.target
            current.difficulty = max(current.difficulty, difficulty)
            status.current = current
            return (key, record.target)
        }
        if let (id, target) = update { engine.tighten(to: target, jobID: id) }
    }

    /// What to do with a found share.
    private enum Decision {
        case submit(JobRecord)
        case held(evicted: HeldShare?)
        case stale(PoolEndpoint?)
        case belowTarget(PoolEndpoint?)
    }

    /// Checks a found share against its job's current rules and submits it; a share for a job whose session
    /// ended is held until the pool sends that job again.
    private func submit(_ found: FoundShare, client: StratumClient) {
        let decision = status.withLock { status -> Decision in
            guard let record = status.records[found.jobID] else { return .stale(nil) }
            switch record.state {
            case .void:
                return .stale(record.pool)
            case .suspended:
                return .held(evicted: Self.hold(found, record: record, status: &status))
            case .live:
                return record.target.isMet(byHash: found.hash) ? .submit(record) : .belowTarget(record.pool)
            }
        }
        switch decision {
        case .submit(let record):
            send(found, as: record, client: client)
        case .held(let evicted):
            if let evicted { count(.lost, pool: evicted.pool) }
            logger.info("holding a share for job \(found.jobID): its session ended; it is sent if the pool resumes the job")
        case .stale(let pool):
            count(.stale, pool: pool)
            logger.info("dropped a share for job \(found.jobID): the job is void")
        case .belowTarget(let pool):
            count(.stale, pool: pool)
            logger.info("dropped a share for job \(found.jobID): the difficulty rose")
        }
    }

    /// Holds a share; returns the oldest held share when it had to make room (it is lost).
    private static func hold(_ found: FoundShare, record: JobRecord, status: inout Status) -> HeldShare? {
        status.held.append(HeldShare(found: found, identity: record.identity, pool: record.pool, since: .now))
        return status.held.count > maximumHeldShares ? status.held.removeFirst() : nil
    }

    /// Sends the held shares whose job is live again (same pool, extranonce1 and job).
    private func submitHeldShares(client: StratumClient) {
        let ready = status.withLock { status -> [(FoundShare, JobRecord)] in
            var ready = [(FoundShare, JobRecord)]()
            let live = status.recordOrder.reversed().compactMap { status.records[$0] }.filter { $0.state == .live }
            status.held.removeAll { share in
                guard let record = live.first(where: { $0.identity == share.identity }) else { return false }
                ready.append((share.found, record))
                return true
            }
            return ready
        }
        if !ready.isEmpty { logger.notice("the pool sent the job of \(ready.count) held share\(ready.count == 1 ? "" : "s") again: submitting") }
        for (found, record) in ready {
            guard record.target.isMet(byHash: found.hash) else {
                count(.stale, pool: record.pool)
                continue
            }
            send(found, as: record, client: client)
        }
    }

    /// Submits a share for a live job, once: a share sent to this pool before is never sent again. When
    /// the session is not ready to take it, the share is held for the job's return.
    private func send(_ found: FoundShare, as record: JobRecord, client: StratumClient) {
        let job = record.job
        let credit = record.target.difficulty(scale: job.algorithm.difficultyScale)
        let share = Share(jobID: job.id, extranonce2: job.extranonce2(found.extranonce2), ntime: job.notification.ntime,
                          nonce: found.nonce, hash: found.hash, difficulty: found.difficulty, targetDifficulty: credit)
        // The hash is the engine's (the scanner's exact check on the header job.header built for this
        // extranonce2 and nonce): the same fields are submitted, so it is not hashed again here.
        guard status.withLock({ $0.book.recordSubmission(of: share, job: record.identity) }) else {
            logger.warning("a share for job \(job.id) (nonce \(Hex.string(share.nonce))) was submitted to this pool before; not sent again")
            return
        }
        if client.submit(share, session: job.session) != nil {
            logger.debug("submitted nonce \(Hex.string(share.nonce)) for job \(job.id) (share difficulty \(Self.formatNumber(share.difficulty, digits: 2)))")
            return
        }
        // Not sent: the session ended or is not authorized yet. Held until the job is live again.
        let evicted = status.withLock { status in
            status.book.forgetSubmission(of: share, job: record.identity)
            return Self.hold(found, record: record, status: &status)
        }
        if let evicted { count(.lost, pool: evicted.pool) }
        logger.info("holding a share for job \(job.id): the pool connection is not ready")
    }
}
