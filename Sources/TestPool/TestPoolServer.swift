import Guarded
import Foundation
import Logging
import ProofOfWork
import Stratum
import Synchronization

/// An embedded stratum V1 pool for tests and demos: real TCP, synthetic jobs, and every share checked
/// with the algorithm's reference hash. Rejections use the standard codes 20-25.
public final class TestPoolServer: Sendable {
    /// The configuration it was started with.
    public let configuration: TestPoolConfiguration
    private let logger: Logger
    private let state: Locked<State>
    private let listener = Locked<Int32>(-1)
    private let running = Atomic<Bool>(false)
    private let boundPort = Atomic<Int>(0)

    private final class Client: Sendable {
        let connection: LineConnection
        let extranonce1: [UInt8]
        let session = Locked(Session())
        init(connection: LineConnection, extranonce1: [UInt8]) {
            self.connection = connection
            self.extranonce1 = extranonce1
        }
    }

    private struct Session: Sendable {
        var subscribed = false
        var workers: Set<String> = []
        var difficulty: Double = 1
        /// Difficulty in force when each job was sent to this client.
        var jobDifficulty: [String: Double] = [:]
    }

    private struct State: Sendable {
        var factory = JobFactory()
        var jobs: [String: JobNotification] = [:]
        var currentJob: JobNotification?
        var clients: [ObjectIdentifier: Client] = [:]
        var nextExtranonce1: UInt32 = 0x1000_0000
        var seenShares: Set<String> = []
        var statistics = TestPoolStatistics()
        var difficulty: Double
    }

    /// A pool that is not listening yet.
    public init(configuration: TestPoolConfiguration, logger: Logger = Logger(label: "nightminer.testpool")) {
        self.configuration = configuration
        self.logger = logger
        state = Locked(State(difficulty: configuration.difficulty))
    }

    /// The port it listens on (after ``start()``).
    public var port: Int { boundPort.load(ordering: .acquiring) }

    /// The URL miners connect to.
    public var url: String {
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        return "stratum+tcp://\(host):\(port)"
    }

    /// What the pool has seen so far.
    public var statistics: TestPoolStatistics { state.withLock { $0.statistics } }

    /// Binds, makes the first job and starts accepting connections.
    public func start() throws(StratumError) {
        let (fd, port) = try Socket.listen(host: configuration.host, port: configuration.port)
        listener.withLock { $0 = fd }
        boundPort.store(port, ordering: .releasing)
        running.store(true, ordering: .releasing)
        state.withLock { state in
            let job = state.factory.next(clean: true, ntime: Self.now, extranonceBytes: 4 + configuration.extranonce2Size)
            state.jobs[job.jobID] = job
            state.currentJob = job
            state.statistics.jobs += 1
        }
        DedicatedThread.start(name: "nm-pool-accept") { [self] in self.acceptLoop(fd) }
        if let interval = configuration.jobInterval {
            DedicatedThread.start(name: "nm-pool-jobs") { [self] in
                var next = ContinuousClock.now + interval
                while self.running.load(ordering: .acquiring) {
                    if ContinuousClock.now >= next {
                        self.broadcastJob(clean: false)
                        next = ContinuousClock.now + interval
                    }
                    usleep(50_000)
                }
            }
        }
        logger.info("test pool listening on \(url) (\(configuration.algorithm.name), difficulty \(configuration.difficulty))")
    }

    /// Stops listening and closes every connection.
    public func stop() {
        guard running.exchange(false, ordering: .acquiringAndReleasing) else { return }
        listener.withLock { fd in
            if fd >= 0 {
                Socket.shutdown(fd)
                Socket.close(fd)
                fd = -1
            }
        }
        disconnectAll()
    }

    /// Closes every miner connection (they may reconnect).
    public func disconnectAll() {
        let clients = state.withLock { state -> [Client] in
            let all = Array(state.clients.values)
            state.clients.removeAll()
            return all
        }
        for client in clients { client.connection.close() }
    }

    /// Sends a new job to every subscribed miner; `clean` voids all older jobs.
    @discardableResult
    public func broadcastJob(clean: Bool) -> String {
        let (job, clients) = state.withLock { state -> (JobNotification, [Client]) in
            let job = state.factory.next(clean: clean, ntime: Self.now, extranonceBytes: 4 + configuration.extranonce2Size)
            if clean { state.jobs.removeAll() }
            state.jobs[job.jobID] = job
            state.currentJob = job
            state.statistics.jobs += 1
            return (job, Array(state.clients.values))
        }
        for client in clients where client.session.withLock({ $0.subscribed }) { send(job, to: client) }
        return job.jobID
    }

    /// Changes the share difficulty for every miner (sent at once; applies to the jobs sent after it).
    public func setDifficulty(_ difficulty: Double) {
        let clients = state.withLock { state -> [Client] in
            state.difficulty = difficulty
            return Array(state.clients.values)
        }
        for client in clients {
            client.session.withLock { $0.difficulty = difficulty }
            client.connection.send(StratumMessage.requestLine(id: .null, method: "mining.set_difficulty", params: [.number(difficulty)]))
        }
    }

    private static var now: UInt32 { UInt32(Date().timeIntervalSince1970) }

    private func acceptLoop(_ fd: Int32) {
        while running.load(ordering: .acquiring) {
            guard let clientFD = Socket.accept(fd, timeoutMilliseconds: 200) else { continue }
            if clientFD < 0 { break }
            let connection = LineConnection(acceptedDescriptor: clientFD)
            let client = state.withLock { state -> Client in
                state.nextExtranonce1 &+= 1
                let value = state.nextExtranonce1
                let client = Client(connection: connection,
                                    extranonce1: [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
                client.session.withLock { $0.difficulty = state.difficulty }
                state.clients[ObjectIdentifier(client)] = client
                state.statistics.connections += 1
                return client
            }
            Task.detached { [self] in await self.serve(client) }
        }
    }

    private func serve(_ client: Client) async {
        for await event in client.connection.events {
            guard case .line(let line) = event else {
                if case .oversized = event { logger.warning("test pool: dropped an oversized line") }
                continue
            }
            handle(line, from: client)
        }
        _ = state.withLock { $0.clients.removeValue(forKey: ObjectIdentifier(client)) }
    }

    private func reply(_ client: Client, id: JSONValue, result: JSONValue, error: JSONValue = .null) {
        client.connection.send(StratumMessage.responseLine(id: id, result: result, error: error))
    }

    private func reject(_ client: Client, id: JSONValue, code: Int, _ message: String) {
        state.withLock { $0.statistics.rejected[code, default: 0] += 1 }
        reply(client, id: id, result: .null, error: .array([.number(Double(code)), .string(message), .null]))
    }

    private func send(_ job: JobNotification, to client: Client) {
        client.session.withLock { $0.jobDifficulty[job.jobID] = $0.difficulty }
        client.connection.send(StratumMessage.requestLine(id: .null, method: "mining.notify", params: job.params))
    }

    private func handle(_ line: String, from client: Client) {
        guard case .request(let id, let method, let params)? = try? StratumMessage.parse(line) else {
            reply(client, id: .null, result: .null, error: .array([.number(20), .string("invalid request"), .null]))
            return
        }
        switch method {
        case "mining.subscribe":
            let subscriptionID = Hex.encode(client.extranonce1)
            let tuples: JSONValue = switch configuration.subscribeReplyStyle {
            case .stratumMining:
                .array([.array([.string("mining.set_difficulty"), .string(subscriptionID)]),
                        .array([.string("mining.notify"), .string(subscriptionID)])])
            case .ckpool:
                .array([.array([.string("mining.notify"), .string(subscriptionID)])])
            }
            let difficulty = client.session.withLock { session -> Double in
                session.subscribed = true
                return session.difficulty
            }
            reply(client, id: id, result: .array([tuples, .string(Hex.encode(client.extranonce1)), .number(Double(configuration.extranonce2Size))]))
            client.connection.send(StratumMessage.requestLine(id: .null, method: "mining.set_difficulty", params: [.number(difficulty)]))
            if let job = state.withLock({ $0.currentJob }) {
                var first = job
                first.cleanJobs = true
                send(first, to: client)
            }
        case "mining.authorize":
            let user = params.first?.stringValue ?? ""
            let password = params.count > 1 ? params[1].stringValue ?? "" : ""
            let allowed = configuration.credentials.map { $0[user] == password } ?? !user.isEmpty
            if allowed {
                client.session.withLock { _ = $0.workers.insert(user) }
                state.withLock { $0.statistics.authorized += 1 }
                reply(client, id: id, result: .bool(true))
            } else {
                state.withLock { $0.statistics.authorizationsRefused += 1 }
                reply(client, id: id, result: .bool(false), error: .array([.number(24), .string("Unauthorized worker"), .null]))
            }
        case "mining.submit":
            submit(id: id, params: params, client: client)
        case "mining.extranonce.subscribe", "mining.suggest_difficulty", "mining.configure":
            reply(client, id: id, result: .bool(false))
        default:
            reply(client, id: id, result: .null, error: .array([.number(20), .string("unknown method \(method)"), .null]))
        }
    }

    private func submit(id: JSONValue, params: [JSONValue], client: Client) {
        let (subscribed, workers, jobDifficulties) = client.session.withLock { ($0.subscribed, $0.workers, $0.jobDifficulty) }
        guard subscribed else { return reject(client, id: id, code: 25, "Not subscribed") }
        guard params.count >= 5, let worker = params[0].stringValue, let jobID = params[1].stringValue,
              let extranonce2Text = params[2].stringValue, let ntimeText = params[3].stringValue, let nonceText = params[4].stringValue
        else { return reject(client, id: id, code: 20, "Malformed submit") }
        guard workers.contains(worker) else { return reject(client, id: id, code: 24, "Unauthorized worker") }
        guard let job = state.withLock({ $0.jobs[jobID] }), let jobDifficulty = jobDifficulties[jobID] else {
            return reject(client, id: id, code: 21, "Job '\(jobID)' not found")
        }
        guard let extranonce2 = Hex.decode(extranonce2Text), extranonce2.count == configuration.extranonce2Size else {
            return reject(client, id: id, code: 20, "Invalid extranonce2 size")
        }
        guard let ntime = Hex.uint32(ntimeText), ntime >= job.ntime, ntime - job.ntime <= configuration.ntimeWindow else {
            return reject(client, id: id, code: 20, "Ntime out of range")
        }
        guard let nonce = Hex.uint32(nonceText) else { return reject(client, id: id, code: 20, "Invalid nonce") }
        let key = "\(jobID)/\(Hex.encode(client.extranonce1))/\(extranonce2Text.lowercased())/\(ntime)/\(nonce)"
        let duplicate = state.withLock { state -> Bool in !state.seenShares.insert(key).inserted }
        guard !duplicate else { return reject(client, id: id, code: 22, "Duplicate share") }
        var notification = job
        notification.ntime = ntime
        guard let verifier = try? Job(notification: notification, extranonce1: client.extranonce1,
                                      extranonce2Size: configuration.extranonce2Size, difficulty: jobDifficulty,
                                      algorithm: configuration.algorithm),
              verifier.verify(extranonce2: extranonce2, nonce: nonce) != nil
        else { return reject(client, id: id, code: 23, "Low difficulty share") }
        state.withLock {
            $0.statistics.accepted += 1
            $0.statistics.acceptedJobIDs.append(jobID)
        }
        reply(client, id: id, result: .bool(true))
    }
}
