import ControlAPI
import Foundation
import Guarded
import JSON
import Logging
import MiningEngine
import NightMiner
import ProofOfWork
import ServiceLifecycle
import Stratum

/// The service behind the control API: one ``Miner`` for the life of the process, started and stopped
/// on request, reconfigured at run time, with every accepted change saved to the configuration file
/// before the API answers.
package final class MiningService: ControlService, Service {
    /// The miner (created with the first start, so a service with no pool yet can still run).
    private let state: Locked<State>
    private let store: ConfigStore?
    private let registry: AlgorithmRegistry
    private let logger: Logger
    private let tune: @Sendable (inout MinerConfiguration) -> Void
    private let logLevelChanged: @Sendable (String) -> Void

    private struct State: Sendable {
        var settings: ServiceSettings
        var miner: Miner?
        /// What the user asked for: the supervisor makes the miner follow it.
        var wantsMining = false
        var shuttingDown = false
        /// Set when the supervisor's current run has ended (by a stop or by itself).
        var runEnded = false
    }

    /// Serializes configuration changes; held across the save (an fsync), never by readers such as `/stats`.
    private let changes = Locked(())
    /// Wakes the supervisor after every change of what the user asked for.
    private let wake = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    private let supervisor = Locked<Task<Void, Never>?>(nil)
    private let measures = ServiceMetrics()
    /// What happened lately, for `GET /events`.
    package let events = EventJournal()

    /// The log levels the API accepts.
    package static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// A service with `settings`, saving to `store` (nil: nothing is saved). `tune` adjusts each miner
    /// configuration (timeouts in tests); `logLevelChanged` applies a new log level.
    package init(settings: ServiceSettings, store: ConfigStore?, registry: AlgorithmRegistry = .standard(),
                logger: Logger = Logger(label: "nightminer"),
                tune: @escaping @Sendable (inout MinerConfiguration) -> Void = { _ in },
                logLevelChanged: @escaping @Sendable (String) -> Void = { _ in }) {
        var settings = settings
        // A hand-written file (or code) may name ids without moving the counter: never hand out one in use.
        settings.nextPoolID = max(settings.nextPoolID, (settings.pools.map(\.id).max() ?? 0) + 1)
        state = Locked(State(settings: settings))
        self.store = store
        self.registry = registry
        self.logger = logger
        self.tune = tune
        self.logLevelChanged = logLevelChanged
    }

    /// The settings in force.
    package var settings: ServiceSettings { state.withLock { $0.settings } }

    /// The miner, once started.
    package var miner: Miner? { state.withLock { $0.miner } }

    /// As a part of a `ServiceGroup`: starts mining if the settings say so (`autostart`), then serves the
    /// API's requests until the group's graceful shutdown or cancellation, and shuts down (``shutdown()``).
    package func run() async {
        let settings = settings
        if settings.autostart, !settings.pools.isEmpty {
            do throws(Problem) { _ = try startMining() } catch { logger.error("cannot start mining: \(error.detail)") }
        }
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Stops mining and waits for the miner to finish (for shutdown): the shares already found are
    /// submitted and their verdicts awaited for up to 3 s.
    package func shutdown() async {
        state.withLock { state in
            state.wantsMining = false
            state.shuttingDown = true
        }
        wake.continuation.yield()
        await supervisor.withLock { $0 }?.value
    }

    /// The one owner of the miner's runs: launches a run while mining is wanted, stops it when not, and
    /// waits for a stopped run to end before launching the next, so any sequence of start and stop
    /// requests ends in the state last asked for.
    private func supervise() async {
        var run: Task<Void, any Error>?
        for await _ in wake.stream {
            while true {
                let (wants, closing, miner, ended) = state.withLock { ($0.wantsMining, $0.shuttingDown, $0.miner, $0.runEnded) }
                if let current = run, ended {
                    // A run that ended by itself is not restarted until asked again.
                    if case .failure(let error) = await current.result { logger.error("mining ended: \(error)") }
                    run = nil
                    if wants { state.withLock { $0.wantsMining = false } }
                    continue
                }
                if let current = run, !wants {
                    miner?.stop()
                    _ = await current.result
                    run = nil
                    logger.notice("mining stopped")
                    continue
                }
                if run == nil, wants, !closing, let miner {
                    state.withLock { $0.runEnded = false }
                    let current = miner.launch()
                    run = current
                    Task { [self] in
                        _ = await current.result
                        state.withLock { $0.runEnded = true }
                        wake.continuation.yield()
                    }
                    logger.notice("mining started")
                }
                break
            }
            if state.withLock({ $0.shuttingDown }), run == nil { return }
        }
    }

    private func minerConfiguration(_ settings: ServiceSettings) throws(Problem) -> MinerConfiguration {
        let ordered = settings.orderedPools
        guard !ordered.isEmpty else { throw .conflict("no pool is configured: add one with POST /pools") }
        var endpoints = [PoolEndpoint]()
        for pool in ordered {
            do throws(Problem) { endpoints.append(try pool.endpoint()) } catch {
                throw .unprocessable("pool \(pool.id): \(error.detail)")
            }
        }
        var configuration = MinerConfiguration(pools: endpoints, algorithm: settings.algorithm, threads: settings.threads)
        tune(&configuration)
        return configuration
    }

    // MARK: ControlService

    /// Starts mining (idempotent).
    package func startMining() throws(Problem) -> MiningStateDocument {
        let configuration = try minerConfiguration(settings)
        let result = state.withLock { state -> Result<Void, Problem> in
            guard !state.shuttingDown else { return .failure(.conflict("the service is shutting down")) }
            if let existing = state.miner {
                do throws(MinerError) { try existing.update(configuration) } catch { return .failure(.unprocessable(error.description)) }
            } else {
                do throws(MinerError) {
                    let miner = try Miner(configuration: configuration, registry: registry, logger: logger)
                    miner.observe { [measures, events] event in
                        measures.record(event)
                        Self.journal(event, into: events)
                    }
                    state.miner = miner
                } catch {
                    return .failure(.unprocessable(error.description))
                }
            }
            state.wantsMining = true
            return .success(())
        }
        try result.get()
        supervisor.withLock { task in
            if task == nil { task = Task { await self.supervise() } }
        }
        wake.continuation.yield()
        return MiningStateDocument(state: currentState())
    }

    /// Stops mining (idempotent).
    package func stopMining() -> MiningStateDocument {
        state.withLock { $0.wantsMining = false }
        wake.continuation.yield()
        return MiningStateDocument(state: "stopped")
    }

    private func currentState() -> String {
        let (wants, miner) = state.withLock { ($0.wantsMining, $0.miner) }
        guard wants, let miner else { return "stopped" }
        let snapshot = miner.snapshot
        return snapshot.state == .mining ? "mining" : "connecting"
    }

    /// Statistics from the miner's snapshot.
    package func stats() -> StatsDocument {
        let (settings, miner, wants) = state.withLock { ($0.settings, $0.miner, $0.wantsMining) }
        let active = settings.activePool
        guard let miner else {
            return StatsDocument(
                state: "stopped", uptimeSeconds: 0, algorithm: active?.algorithm ?? settings.algorithm, kernel: "",
                threads: 0, hashrate: .init(tenSeconds: 0, oneMinute: 0, fifteenMinutes: 0, perThread: [], totalHashes: 0),
                shares: .init(accepted: 0, rejected: [:], rejectedTotal: 0, stale: 0, lost: 0, invalid: 0, acceptedDifficulty: 0,
                              bestShareDifficulty: 0),
                job: nil,
                pool: .init(id: active?.id, url: active?.url ?? "", user: active?.user ?? "", connected: false,
                            connectedForSeconds: nil, lastShareRoundTripMs: nil, lastError: nil),
                pools: Self.poolDocuments(settings: settings, standings: [], mining: false))
        }
        let snapshot = miner.snapshot
        let now = ContinuousClock.now
        let state: String = !wants || snapshot.state == .stopped ? "stopped" : (snapshot.state == .mining ? "mining" : "connecting")
        let shares = snapshot.shares
        let poolID = settings.pools.first { $0.url == snapshot.pool.url && $0.user == snapshot.pool.user }?.id ?? active?.id
        return StatsDocument(
            state: state, uptimeSeconds: snapshot.startedAt.map { $0.duration(to: now).inSeconds } ?? 0,
            algorithm: snapshot.algorithm, kernel: snapshot.kernel, threads: snapshot.threads,
            hashrate: .init(tenSeconds: snapshot.hashrate.tenSeconds, oneMinute: snapshot.hashrate.oneMinute,
                            fifteenMinutes: snapshot.hashrate.fifteenMinutes, perThread: snapshot.hashrate.perThread,
                            totalHashes: snapshot.hashrate.totalHashes),
            shares: .init(accepted: shares.accepted, rejected: shares.rejected, rejectedTotal: shares.rejectedTotal, stale: shares.stale,
                          lost: shares.lost, invalid: shares.invalid, acceptedDifficulty: shares.acceptedDifficulty,
                          bestShareDifficulty: shares.bestShareDifficulty),
            job: snapshot.job.map {
                .init(id: $0.id, ageSeconds: $0.receivedAt.duration(to: now).inSeconds, difficulty: $0.difficulty,
                      target: $0.target.hex, clean: $0.clean, extranonce2Size: $0.extranonce2Size)
            },
            pool: .init(id: poolID, url: snapshot.pool.url, user: snapshot.pool.user, connected: snapshot.pool.connected,
                        connectedForSeconds: snapshot.pool.connectedSince.map { $0.duration(to: now).inSeconds },
                        lastShareRoundTripMs: snapshot.pool.lastShareRoundTrip.map { $0.inSeconds * 1000 },
                        lastError: snapshot.pool.lastError,
                        oldestUnansweredSeconds: snapshot.pool.oldestUnansweredRequest.map(\.inSeconds)),
            pools: Self.poolDocuments(settings: settings, standings: snapshot.pools, mining: wants),
            kernelReview: snapshot.kernelReview.map {
                .init(algorithm: $0.algorithm, kernel: $0.kernel, runnerUp: $0.runnerUp, kernelHashesPerSecond: $0.kernelHashesPerSecond.rounded(),
                      runnerUpHashesPerSecond: $0.runnerUpHashesPerSecond.rounded(), reviews: $0.reviews, runnerUpWins: $0.runnerUpWins,
                      switches: $0.switches)
            })
    }

    /// Writes a miner event to the journal (`mining`, `pool`, `job`, `difficulty`, `share`, `kernel`).
    private static func journal(_ event: MinerEvent, into journal: EventJournal) {
        var data: [String: JSONValue] = ["time": .string(now())]
        let name: String
        switch event {
        case .started, .stopped:
            name = "mining"
            data["state"] = .string({ if case .started = event { "started" } else { "stopped" } }())
        case .poolConnected(let pool):
            name = "pool"
            data.merge(["state": .string("connected"), "pool": .string(pool)]) { $1 }
        case .poolDisconnected(let pool, let reason):
            name = "pool"
            data.merge(["state": .string("disconnected"), "pool": .string(pool), "reason": .string(reason)]) { $1 }
        case .failover(let from, let to, let reason):
            name = "pool"
            data.merge(["state": .string("failover"), "from": .string(from), "pool": .string(to), "reason": .string(reason)]) { $1 }
        case .job(let id, let difficulty, let clean):
            name = "job"
            data.merge(["id": .string(id), "difficulty": .number(difficulty), "clean": .bool(clean)]) { $1 }
        case .difficulty(let difficulty):
            name = "difficulty"
            data["difficulty"] = .number(difficulty)
        case .share(let pool, let outcome, let roundTrip):
            name = "share"
            data["pool"] = .string(pool)
            switch outcome {
            case .accepted: data["result"] = .string("accepted")
            case .rejected(let reason): data.merge(["result": .string("rejected"), "reason": .string(reason)]) { $1 }
            case .stale: data["result"] = .string("stale")
            case .lost: data["result"] = .string("lost")
            case .invalid: data["result"] = .string("invalid")
            }
            data["round_trip_ms"] = roundTrip.map { .number($0.inSeconds * 1000) } ?? .null
        case .kernelSwitch(let made):
            name = "kernel"
            data.merge(["algorithm": .string(made.algorithm), "from": .string(made.from), "to": .string(made.to),
                        "from_hashes_per_second": .number(made.fromHashesPerSecond.rounded()),
                        "to_hashes_per_second": .number(made.toHashesPerSecond.rounded())]) { $1 }
        }
        journal.append(name, data)
    }

    /// Now, as ISO 8601 in UTC.
    static func now() -> String { Date().formatted(.iso8601) }

    /// The metrics in Prometheus' text format, up to date.
    package func metrics() -> [UInt8] { measures.exposition(stats(), version: NightMinerVersion.number) }

    /// Readiness: authorized, a job younger than 10 minutes, threads hashing.
    package func readiness() -> ReadinessDocument {
        let stats = stats()
        let checks = [
            "authorized": stats.pool.connected,
            "fresh_job": (stats.job?.ageSeconds ?? .infinity) < 600,
            "hashing": stats.state == "mining" && stats.threads > 0,
        ]
        return ReadinessDocument(ready: checks.values.allSatisfy { $0 }, checks: checks)
    }

    /// Pools in the order they are tried, each with its share counts and where it stands while mining.
    package func pools() -> [PoolDocument] {
        let (settings, miner, wants) = state.withLock { ($0.settings, $0.miner, $0.wantsMining) }
        return Self.poolDocuments(settings: settings, standings: miner?.pools ?? [], mining: wants)
    }

    /// Every pool in the order they are tried, with its share counts and, while mining, where it stands.
    private static func poolDocuments(settings: ServiceSettings, standings: [MinerSnapshot.PoolStanding], mining: Bool) -> [PoolDocument] {
        let activeID = settings.activePool?.id
        return settings.orderedPools.map { pool in
            var document = document(pool, settings: settings, activeID: activeID)
            if let standing = standings.first(where: { $0.status.pool.url == pool.url && $0.status.pool.user == pool.user }) {
                if mining {
                    document.state = standing.status.state.rawValue
                    document.failures = standing.status.failures
                    document.lastError = standing.status.lastError
                }
                document.accepted = standing.shares.accepted
                document.rejected = standing.shares.rejectedTotal
                document.stale = standing.shares.stale
                document.lost = standing.shares.lost
            }
            return document
        }
    }

    private static func document(_ pool: ServiceSettings.Pool, settings: ServiceSettings, activeID: Int?) -> PoolDocument {
        var document = PoolDocument(id: pool.id, url: pool.url, user: pool.user, algorithm: pool.algorithm ?? settings.algorithm,
                                    priority: pool.priority, active: pool.id == activeID, passwordSet: !pool.password.isEmpty)
        document.tlsCA = pool.tlsCA
        document.tlsFingerprint = pool.tlsFingerprint.flatMap { try? PoolTLS.parseFingerprint($0) }.map(PoolTLS.format(fingerprint:))
        document.tlsInsecure = pool.tlsInsecure ?? false
        document.extranonceSubscribe = pool.extranonceSubscribe ?? true
        document.suggestDifficulty = pool.suggestDifficulty
        return document
    }

    private func validate(_ pool: ServiceSettings.Pool) throws(Problem) {
        _ = try pool.endpoint()
        guard !pool.user.isEmpty, pool.user.utf8.count <= 256 else { throw .unprocessable("user must be 1 to 256 characters") }
        guard pool.password.utf8.count <= 256 else { throw .unprocessable("password must be at most 256 characters") }
        if let algorithm = pool.algorithm, registry.algorithm(named: algorithm) == nil {
            throw .unprocessable("unknown algorithm '\(algorithm)' (known: \(registry.names.joined(separator: ", ")))")
        }
        guard (0...1000).contains(pool.priority) else { throw .unprocessable("priority must be between 0 and 1000") }
    }

    /// Applies `change` to a copy of the settings, saves it, then makes it current and reconfigures the
    /// miner. A failed save changes nothing.
    private func change<T>(_ what: String, _ change: (inout ServiceSettings) throws(Problem) -> T) throws(Problem) -> T {
        let result = changes.withLock { _ -> Result<(T, ServiceSettings, Miner?, Bool), Problem> in
            var settings = state.withLock { $0.settings }
            let value: T
            do throws(Problem) { value = try change(&settings) } catch { return .failure(error) }
            if let store {
                do throws(ConfigStore.Failure) { try store.save(settings) } catch { return .failure(.internalError(error.description)) }
            }
            let (miner, mining) = state.withLock { state in
                state.settings = settings
                return (state.miner, state.wantsMining)
            }
            return .success((value, settings, miner, mining))
        }
        let (value, settings, miner, mining) = try result.get()
        events.append("config", ["change": .string(what), "time": .string(Self.now())])
        if let miner, mining, let configuration = try? minerConfiguration(settings) {
            try? miner.update(configuration)
        }
        return value
    }

    /// Adds a pool.
    package func addPool(_ input: PoolInput) throws(Problem) -> PoolDocument {
        guard let url = input.url, let user = input.user else { throw .unprocessable("a pool needs 'url' and 'user'") }
        return try change("pool added") { (settings: inout ServiceSettings) throws(Problem) -> PoolDocument in
            var pool = ServiceSettings.Pool(id: settings.nextPoolID, url: url, user: user, password: "", algorithm: nil, priority: 10)
            pool.apply(input)
            try validate(pool)
            settings.pools.append(pool)
            settings.nextPoolID += 1
            return Self.document(pool, settings: settings, activeID: settings.activePool?.id)
        }
    }

    /// Changes a pool.
    package func updatePool(id: Int, _ input: PoolInput) throws(Problem) -> PoolDocument {
        try change("pool \(id) changed") { (settings: inout ServiceSettings) throws(Problem) -> PoolDocument in
            guard let index = settings.pools.firstIndex(where: { $0.id == id }) else { throw .notFound("no pool with id \(id)") }
            var pool = settings.pools[index]
            pool.apply(input)
            pool.ephemeral = false
            try validate(pool)
            settings.pools[index] = pool
            return Self.document(pool, settings: settings, activeID: settings.activePool?.id)
        }
    }

    /// Removes a pool; the active pool cannot be removed while mining.
    package func deletePool(id: Int) throws(Problem) {
        let mining = state.withLock { $0.wantsMining }
        try change("pool \(id) removed") { (settings: inout ServiceSettings) throws(Problem) in
            guard settings.pools.contains(where: { $0.id == id }) else { throw .notFound("no pool with id \(id)") }
            if mining, settings.activePool?.id == id {
                throw .conflict("pool \(id) is in use: activate another pool or stop mining first")
            }
            settings.pools.removeAll { $0.id == id }
            if settings.activePoolID == id { settings.activePoolID = nil }
        }
    }

    /// Makes a pool the active one.
    package func activatePool(id: Int) throws(Problem) -> PoolDocument {
        try change("pool \(id) activated") { (settings: inout ServiceSettings) throws(Problem) -> PoolDocument in
            guard let pool = settings.pools.first(where: { $0.id == id }) else { throw .notFound("no pool with id \(id)") }
            settings.activePoolID = id
            return Self.document(pool, settings: settings, activeID: id)
        }
    }

    /// The settings.
    package func config() -> ConfigDocument {
        let settings = settings
        return ConfigDocument(threads: settings.threads, algorithm: settings.algorithm, logLevel: settings.logLevel,
                              autostart: settings.autostart)
    }

    /// Changes settings.
    package func updateConfig(_ input: ConfigInput) throws(Problem) -> ConfigDocument {
        let document = try change("settings changed") { (settings: inout ServiceSettings) throws(Problem) -> ConfigDocument in
            if let threads = input.threads {
                if let problem = MinerConfiguration.threadProblem(threads) { throw .unprocessable(problem) }
                settings.threads = threads
            }
            if let algorithm = input.algorithm {
                guard registry.algorithm(named: algorithm) != nil else {
                    throw .unprocessable("unknown algorithm '\(algorithm)' (known: \(registry.names.joined(separator: ", ")))")
                }
                settings.algorithm = algorithm.lowercased()
            }
            if let level = input.logLevel {
                guard Self.logLevels.contains(level) else {
                    throw .unprocessable("log_level must be one of \(Self.logLevels.joined(separator: ", "))")
                }
                settings.logLevel = level
            }
            if let autostart = input.autostart { settings.autostart = autostart }
            return ConfigDocument(threads: settings.threads, algorithm: settings.algorithm, logLevel: settings.logLevel,
                                  autostart: settings.autostart)
        }
        if input.logLevel != nil { logLevelChanged(document.logLevel) }
        return document
    }
}
