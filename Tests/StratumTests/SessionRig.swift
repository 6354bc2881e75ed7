import Guarded
import JSON
import NIOCore
import NIOEmbedded
import ProofOfWork
import Stratum
import TestFixtures

/// One `StratumSession` on NIO's `EmbeddedChannel`: the pool's lines are handed in, and the lines the
/// session writes and the events it emits are read back at once: no socket, no thread, no sleep. The
/// channel's event loop is the test's own; the session's timers run only when `advance(by:)` says so.
final class SessionRig {
    let channel = EmbeddedChannel()
    let link: SessionLink
    private let recorder = Recorder()

    private final class Recorder: Sendable {
        let events = Locked<[StratumEvent]>([])
    }

    /// A connected session for worker `worker` (password `secret`) on `algorithm`.
    init(algorithm: any ProofOfWork = SHA256d(), worker: String = "worker", resumeID: String? = nil,
         configure: (inout StratumClientOptions) -> Void = { _ in }) throws {
        var options = StratumClientOptions(userAgent: "nightminer/test")
        configure(&options)
        link = SessionLink(sessionID: 1, pool: try PoolEndpoint(url: "stratum+tcp://pool.test:3333", user: worker, password: "secret"))
        let recorder = recorder
        let settings = StratumSession.Settings(algorithm: algorithm, options: options, resumeID: resumeID) { event in
            recorder.events.withLock { $0.append(event) }
        }
        try channel.pipeline.syncOperations.addHandler(StratumSession(link: link, settings: settings))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 3333)).wait()
    }

    /// The session under test.
    func session() throws -> StratumSession {
        try channel.pipeline.syncOperations.handler(type: StratumSession.self)
    }

    /// Hands the session one line from the pool.
    func receive(_ line: String) throws {
        try channel.receiveLine(line)
    }

    /// The lines the session wrote since the last call, parsed.
    func sent() throws -> [StratumMessage] {
        try channel.readOutboundMessages()
    }

    /// The one request the session wrote since the last read, which must be a call of `method`; its id and params.
    func request(_ method: String) throws -> (id: JSONValue, params: [JSONValue]) {
        let messages = try sent()
        guard messages.count == 1, case .request(let id, let sentMethod, let params) = messages[0], sentMethod == method else {
            throw RigError.unexpected("expected one \(method), the session sent \(messages)")
        }
        return (id, params)
    }

    /// The events emitted since the last call.
    func events() -> [StratumEvent] {
        recorder.events.withLock { events in
            defer { events.removeAll() }
            return events
        }
    }

    /// Subscribes (answering the session's `mining.subscribe` with `result`), authorizes, and answers the
    /// `mining.extranonce.subscribe` that follows (sent unless the pool URL turns it off).
    func handshake(subscribeResult: String = #"[[["mining.set_difficulty","d1"],["mining.notify","n1"]],"08000002",4]"#) throws {
        let subscribe = try request("mining.subscribe")
        try receive(#"{"id":\#(subscribe.id.serialized),"result":\#(subscribeResult),"error":null}"#)
        let authorize = try request("mining.authorize")
        try receive(#"{"id":\#(authorize.id.serialized),"result":true,"error":null}"#)
        if link.pool.extranonceSubscribe {
            let extranonce = try request("mining.extranonce.subscribe")
            try receive(#"{"id":\#(extranonce.id.serialized),"result":true,"error":null}"#)
        }
    }

    /// Moves the channel's clock: the session's timers that fall due run.
    func advance(by amount: TimeAmount) {
        channel.embeddedEventLoop.advanceTime(by: amount)
    }

    /// Closes the channel (the pool went away); the session ends.
    func close() {
        _ = try? channel.finish()
    }

    enum RigError: Error {
        case unexpected(String)
    }
}
