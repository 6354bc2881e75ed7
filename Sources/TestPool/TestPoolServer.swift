import Guarded
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ProofOfWork
import Stratum
import Synchronization

/// An embedded stratum V1 pool for tests and demos: real TCP (SwiftNIO), synthetic jobs, and every share
/// checked with the algorithm's reference hash. Rejections use the standard codes 20-25.
///
/// Bounded whatever miners send: lines (64 KiB), connections (``TestPoolConfiguration/maximumConnections``),
/// the jobs kept (the newest 32), the duplicate check (per kept job) and the unsent bytes per miner (1 MiB).
public final class TestPoolServer: Sendable {
    /// The configuration it was started with.
    public let configuration: TestPoolConfiguration
    private let logger: Logger
    private let state: Locked<State>
    private let group: any EventLoopGroup
    /// The group made for this pool when none was given; shut down by ``stop()``.
    private let ownedGroup: MultiThreadedEventLoopGroup?
    private let stopped = Atomic<Bool>(false)
    private let listener = Locked<(channel: (any Channel)?, timers: [RepeatedTask])>((nil, []))
    private let boundPort = Locked(0)

    /// Jobs kept for share checks; older ones are stale (code 21).
    static let keptJobs = 32
    /// Accepted job IDs kept in ``TestPoolStatistics/acceptedJobIDs``.
    static let keptAcceptedJobIDs = 1_000
    static let maximumLineBytes = 65_536
    static let maximumUnsentBytes = 1_048_576

    fileprivate final class Client: Sendable {
        let channel: any Channel
        let session: Locked<Session>
        init(channel: any Channel, extranonce1: [UInt8]) {
            self.channel = channel
            session = Locked(Session(extranonce1: extranonce1))
        }
        var extranonce1: [UInt8] { session.withLock { $0.extranonce1 } }
    }

    fileprivate struct Session: Sendable {
        /// The coinbase prefix of this connection (changed by the set-extranonce fault).
        var extranonce1: [UInt8]
        /// Shares accepted on this connection.
        var accepted = 0
        var subscribed = false
        var workers: Set<String> = []
        var difficulty: Double = 1
        /// Difficulty in force when each kept job was sent to this client.
        var jobDifficulty: [String: Double] = [:]
    }

    private struct State: Sendable {
        var factory = JobFactory()
        var jobs: [String: JobNotification] = [:]
        var jobOrder: [String] = []
        var currentJob: JobNotification?
        var clients: [ObjectIdentifier: Client] = [:]
        var nextExtranonce1: UInt32 = 0x1000_0000
        /// Shares seen, per kept job (dropped with the job).
        var seenShares: [String: Set<String>] = [:]
        /// Subscription ids given out (the newest 1,024), for sessions that resume.
        var subscriptionIDs: Set<String> = []
        var subscriptionOrder: [String] = []
        var statistics = TestPoolStatistics()
        var difficulty: Double

        /// A fresh 4-byte extranonce1.
        mutating func makeExtranonce1() -> [UInt8] {
            nextExtranonce1 &+= 1
            let value = nextExtranonce1
            return [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        }

        /// Makes the next job and keeps it (a clean one voids the others).
        mutating func makeJob(clean: Bool, extranonceBytes: Int) -> JobNotification {
            let job = factory.next(clean: clean, ntime: TestPoolServer.now, extranonceBytes: extranonceBytes)
            if clean {
                jobs.removeAll()
                jobOrder.removeAll()
                seenShares.removeAll()
            }
            jobs[job.jobID] = job
            jobOrder.append(job.jobID)
            while jobOrder.count > TestPoolServer.keptJobs {
                let oldest = jobOrder.removeFirst()
                jobs[oldest] = nil
                seenShares[oldest] = nil
            }
            currentJob = job
            statistics.jobs += 1
            return job
        }
    }

    /// A pool that is not listening yet. Without a `group` it runs on an event loop thread of its own (ended
    /// by ``stop()``): checking shares is CPU work (a scrypt hash each), which on a shared loop would delay
    /// every other connection on it, a miner's own pool connection in the same process among them.
    public init(configuration: TestPoolConfiguration, logger: Logger = Logger(label: "nightminer.testpool"),
                group: (any EventLoopGroup)? = nil) {
        self.configuration = configuration
        self.logger = logger
        let owned = group == nil ? MultiThreadedEventLoopGroup(numberOfThreads: 1) : nil
        self.ownedGroup = owned
        self.group = group ?? owned!
        state = Locked(State(difficulty: configuration.difficulty))
    }

    /// The port it listens on (after ``start()``).
    public var port: Int { boundPort.withLock { $0 } }

    /// The URL miners connect to.
    public var url: String {
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        return "\(configuration.tls == nil ? "stratum+tcp" : "stratum+ssl")://\(host):\(port)"
    }

    /// What the pool has seen so far.
    public var statistics: TestPoolStatistics {
        state.withLock { state in
            var copy = state.statistics
            // A buffer of its own: one shared with the pool's, which appends under the lock, would be read
            // here after the lock (ThreadSanitizer reports the copy-on-write uniqueness check against it).
            copy.acceptedJobIDs = state.statistics.acceptedJobIDs.map { $0 }
            copy.rejected = state.statistics.rejected.mapValues { $0 }
            return copy
        }
    }

    /// Binds, makes the first job and starts accepting connections.
    public func start() async throws {
        state.withLock { _ = $0.makeJob(clean: true, extranonceBytes: 4 + configuration.extranonce2Size) }
        let tls = try configuration.tls.map { try Self.tlsContext(certificateFile: $0.certificateFile, keyFile: $0.keyFile) }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: Self.maximumUnsentBytes / 2, high: Self.maximumUnsentBytes))
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try LineChannel.addFraming(to: channel, maximumLineBytes: Self.maximumLineBytes)
                    try channel.pipeline.syncOperations.addHandler(TestPoolConnection(server: self))
                }
            }
        let channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        boundPort.withLock { $0 = channel.localAddress?.port ?? 0 }
        var timers = [RepeatedTask]()
        if let interval = configuration.jobInterval {
            let amount = TimeAmount(interval)
            timers.append(channel.eventLoop.scheduleRepeatedTask(initialDelay: amount, delay: amount) { [self] _ in broadcastJob(clean: false) })
        }
        if configuration.faults.contains(.cleanStorm) {
            timers.append(channel.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) { [self] _ in
                broadcastJob(clean: true)
            })
        }
        if configuration.faults.contains(.difficulty) {
            timers.append(channel.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(300), delay: .milliseconds(300)) { [self] _ in
                let base = configuration.difficulty
                setDifficulty(state.withLock { $0.difficulty } == base ? base * 2 : base)
                broadcastJob(clean: false)
            })
        }
        if configuration.faults.contains(.stall) {
            timers.append(channel.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(5), delay: .milliseconds(5)) { [self] _ in
                pingStalledMiners()
            })
        }
        listener.withLock { $0 = (channel, timers) }
        logger.info("test pool listening on \(url) (\(configuration.algorithm.name), difficulty \(configuration.difficulty))")
    }

    /// Serves miners on `channel` (plain, no framing: one line per buffer), as a connection accepted by the
    /// listener would be once framed; for protocol tests on an `EmbeddedChannel`, with or without ``start()``.
    package func serve(_ channel: any Channel) throws {
        state.withLock { state in
            if state.currentJob == nil { _ = state.makeJob(clean: true, extranonceBytes: 4 + configuration.extranonce2Size) }
        }
        try channel.pipeline.syncOperations.addHandler(TestPoolConnection(server: self))
    }

    private static func tlsContext(certificateFile: String, keyFile: String) throws -> NIOSSLContext {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
            return try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
        } catch {
            throw StratumError.connection("cannot serve TLS with \(certificateFile) and \(keyFile): \(error)")
        }
    }

    /// Stops listening and closes every connection. Returns at once; nothing is accepted afterwards.
    public func stop() {
        let (channel, timers) = listener.withLock { listener in
            defer { listener = (nil, []) }
            return listener
        }
        for timer in timers { timer.cancel() }
        channel?.close(promise: nil)
        disconnectAll()
        let owned = ownedGroup
        if let owned, stopped.exchange(true, ordering: .acquiringAndReleasing) == false {
            // After the closes queued above; without waiting (stop() may be called on an event loop).
            owned.shutdownGracefully { _ in }
        }
    }

    /// Closes every miner connection (they may reconnect).
    public func disconnectAll() {
        let clients = state.withLock { state -> [Client] in
            let all = Array(state.clients.values)
            state.clients.removeAll()
            return all
        }
        for client in clients { client.channel.close(promise: nil) }
    }

    /// Sends a new job to every subscribed miner; `clean` voids all older jobs.
    @discardableResult
    public func broadcastJob(clean: Bool) -> String {
        let (job, clients) = state.withLock { state -> (JobNotification, [Client]) in
            let job = state.makeJob(clean: clean, extranonceBytes: 4 + configuration.extranonce2Size)
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
            write(StratumMessage.requestLine(id: .null, method: "mining.set_difficulty", params: [.number(difficulty)]), to: client)
        }
    }

    fileprivate static var now: UInt32 { UInt32(Date().timeIntervalSince1970) }

    /// A new connection: registered, or refused when ``TestPoolConfiguration/maximumConnections`` are open.
    fileprivate func register(_ channel: any Channel) -> Client? {
        state.withLock { state -> Client? in
            guard state.clients.count < configuration.maximumConnections else { return nil }
            let client = Client(channel: channel, extranonce1: state.makeExtranonce1())
            client.session.withLock { $0.difficulty = state.difficulty }
            state.clients[ObjectIdentifier(client)] = client
            state.statistics.connections += 1
            return client
        }
    }

    fileprivate func unregister(_ client: Client) {
        _ = state.withLock { $0.clients.removeValue(forKey: ObjectIdentifier(client)) }
    }

    /// Writes a line without waiting; a miner that stopped reading (1 MiB unsent) is dropped.
    private func write(_ line: String, to client: Client) {
        guard client.channel.isWritable else {
            logger.warning("test pool: dropped a miner that stopped reading")
            client.channel.close(promise: nil)
            return
        }
        if configuration.faults.contains(.garbage) {
            let garbage = Self.garbage[Int.random(in: 0..<Self.garbage.count)]
            client.channel.write(LineChannel.buffer(garbage, allocator: client.channel.allocator), promise: nil)
        }
        client.channel.writeAndFlush(LineChannel.buffer(line, allocator: client.channel.allocator), promise: nil)
    }

    /// What the garbage fault sends between lines.
    static let garbage = ["this is not json", "{\"id\":", "[1,2,3]", "{\"id\":999,\"result\":true,\"error\":null}", "\u{1}\u{2}\u{3}",
                          "{\"method\":\"mining.notify\",\"params\":[\"x\"]}", "{\"id\":null,\"method\":\"mining.set_difficulty\",\"params\":[\"high\"]}"]

    /// The stall fault: every authorized miner is asked for pongs it cannot deliver (the pool stopped reading).
    private func pingStalledMiners() {
        let stalled = state.withLock { Array($0.clients.values) }.filter { $0.session.withLock { !$0.workers.isEmpty } }
        for client in stalled where client.channel.isWritable {
            for _ in 0..<200 {
                client.channel.write(LineChannel.buffer(#"{"id":7,"method":"mining.ping","params":[]}"#, allocator: client.channel.allocator),
                                     promise: nil)
            }
            client.channel.flush()
        }
    }

    /// The faults that follow a connection's first accepted share.
    private func afterFirstShare(_ client: Client) {
        let faults = configuration.faults
        if faults.contains(.setExtranonce) {
            let extranonce1 = state.withLock { $0.makeExtranonce1() }
            client.session.withLock { session in
                session.extranonce1 = extranonce1
                session.jobDifficulty = [:]  // jobs sent before are stale now
            }
            write(StratumMessage.requestLine(id: .null, method: "mining.set_extranonce",
                                             params: [.string(Hex.encode(extranonce1)), .number(Double(configuration.extranonce2Size))]), to: client)
            let job = state.withLock { $0.makeJob(clean: true, extranonceBytes: 4 + configuration.extranonce2Size) }
            send(job, to: client)
        }
        if faults.contains(.reconnect) {
            // The bare host, as miners compare it with the one they connected to (no IPv6 brackets).
            write(StratumMessage.requestLine(id: .null, method: "client.reconnect",
                                             params: [.string(configuration.host), .number(Double(port)), .number(0)]), to: client)
        }
        if faults.contains(.drop) { client.channel.close(promise: nil) }
    }

    private func reply(_ client: Client, id: JSONValue, result: JSONValue, error: JSONValue = .null, late: Bool = false) {
        let line = StratumMessage.responseLine(id: id, result: result, error: error)
        guard late, configuration.faults.contains(.slow) else { return write(line, to: client) }
        client.channel.eventLoop.scheduleTask(in: .seconds(2)) { [self] in write(line, to: client) }
    }

    /// Rejects a share (answered late under the slow fault).
    private func reject(_ client: Client, id: JSONValue, code: Int, _ message: String) {
        state.withLock { $0.statistics.rejected[code, default: 0] += 1 }
        reply(client, id: id, result: .null, error: .array([.number(Double(code)), .string(message), .null]), late: true)
    }

    private func send(_ job: JobNotification, to client: Client) {
        let kept = Set(state.withLock { $0.jobOrder })
        client.session.withLock { session in
            session.jobDifficulty[job.jobID] = session.difficulty
            session.jobDifficulty = session.jobDifficulty.filter { kept.contains($0.key) || $0.key == job.jobID }
        }
        write(StratumMessage.requestLine(id: .null, method: "mining.notify", params: job.params), to: client)
    }

    fileprivate func handle(_ line: String, from client: Client) {
        state.withLock { $0.statistics.lines += 1 }
        guard case .request(let id, let method, let params)? = try? StratumMessage.parse(line) else {
            reply(client, id: .null, result: .null, error: .array([.number(20), .string("invalid request"), .null]))
            return
        }
        switch method {
        case "mining.subscribe":
            if configuration.resumeSessions, params.count > 1, let resumeID = params[1].stringValue,
               state.withLock({ $0.subscriptionIDs.contains(resumeID) }), let extranonce1 = Hex.decode(resumeID) {
                client.session.withLock { $0.extranonce1 = extranonce1 }
                state.withLock { $0.statistics.resumed += 1 }
                logger.debug("resumed session \(resumeID)")
            }
            let subscriptionID = Hex.encode(client.extranonce1)
            state.withLock { state in
                if state.subscriptionIDs.insert(subscriptionID).inserted { state.subscriptionOrder.append(subscriptionID) }
                if state.subscriptionOrder.count > 1_024 { state.subscriptionIDs.remove(state.subscriptionOrder.removeFirst()) }
            }
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
            write(StratumMessage.requestLine(id: .null, method: "mining.set_difficulty", params: [.number(difficulty)]), to: client)
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
                if configuration.faults.contains(.stall) { _ = client.channel.setOption(ChannelOptions.autoRead, value: false) }
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
        let duplicate = state.withLock { state -> Bool in !state.seenShares[jobID, default: []].insert(key).inserted }
        guard !duplicate else { return reject(client, id: id, code: 22, "Duplicate share") }
        var notification = job
        notification.ntime = ntime
        guard let verifier = try? Job(notification: notification, extranonce1: client.extranonce1,
                                      extranonce2Size: configuration.extranonce2Size, difficulty: jobDifficulty,
                                      algorithm: configuration.algorithm),
              verifier.verify(extranonce2: extranonce2, nonce: nonce) != nil
        else { return reject(client, id: id, code: 23, "Low difficulty share") }
        if configuration.faults.contains(.rejectAll) { return reject(client, id: id, code: 20, "Rejected (fault reject-all)") }
        state.withLock {
            $0.statistics.accepted += 1
            $0.statistics.acceptedJobIDs.append(jobID)
            if $0.statistics.acceptedJobIDs.count > Self.keptAcceptedJobIDs { $0.statistics.acceptedJobIDs.removeFirst() }
        }
        reply(client, id: id, result: .bool(true), late: true)
        let first = client.session.withLock { session -> Bool in
            session.accepted += 1
            return session.accepted == 1
        }
        if first { afterFirstShare(client) }
    }
}

/// One miner's connection to the test pool, on its event loop: lines in, registration and removal.
private final class TestPoolConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let server: TestPoolServer
    private var client: TestPoolServer.Client?

    init(server: TestPoolServer) { self.server = server }

    func channelActive(context: ChannelHandlerContext) {
        client = server.register(context.channel)
        if client == nil { context.close(promise: nil) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let client else { return }
        server.handle(String(buffer: unwrapInboundIn(data)), from: client)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let client { server.unregister(client) }
        client = nil
        context.fireChannelInactive()
    }
}
