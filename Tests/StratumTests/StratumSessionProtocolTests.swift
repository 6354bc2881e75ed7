import JSON
import NIOCore
import ProofOfWork
import Stratum
import Testing

/// The stratum session's protocol on an `EmbeddedChannel` (``SessionRig``): every line in, every line out
/// and every event, in order, with no socket and no waiting. The client's behaviour across sessions
/// (failover, backoff, timeouts in real time) stays tested on real sockets in `StratumClientTests`.
@Suite(.timeLimit(.minutes(1))) struct StratumSessionProtocolTests {
    static let notify = #"{"id":null,"method":"mining.notify","params":["j1","0c859545a3498373a57452fac22eb7113df2a465000543520000000000000000","01000000","ffffffff",[],"20000004","1705ae3a","647025b5",false]}"#
    static let share = Share(jobID: "j1", extranonce2: [0, 0, 0, 1], ntime: 5, nonce: 6, hash: [UInt8](repeating: 0, count: 32), difficulty: 1)

    /// Connected: `mining.subscribe` with the user agent (and the id to resume); the reply's extranonce
    /// and size are taken, then `mining.authorize` with the worker and password; then jobs flow.
    @Test func subscribesAuthorizesAndFollowsJobs() throws {
        let rig = try SessionRig(resumeID: "sub-7")
        let subscribe = try rig.request("mining.subscribe")
        #expect(subscribe.params == [.string("nightminer/test"), .string("sub-7")])
        try rig.receive(#"{"id":\#(subscribe.id.serialized),"result":[[["mining.set_difficulty","d1"],["mining.notify","n1"]],"08000002",4],"error":null}"#)
        let authorize = try rig.request("mining.authorize")
        #expect(authorize.params == [.string("worker"), .string("secret")])
        try rig.receive(#"{"id":\#(authorize.id.serialized),"result":true,"error":null}"#)
        try rig.receive(#"{"id":null,"method":"mining.set_difficulty","params":[2]}"#)
        try rig.receive(Self.notify)
        let events = rig.events()
        guard events.count == 5, case .connected = events[0], case .subscribed(let extranonce1, let size) = events[1],
              case .authorized(let worker) = events[2], case .difficulty(let difficulty) = events[3], case .job(let job, let clean) = events[4]
        else {
            Issue.record("events: \(events)")
            return
        }
        #expect(extranonce1 == [0x08, 0, 0, 0x02] && size == 4)
        #expect(worker == "worker" && difficulty == 2)
        #expect(job.id == "j1" && !clean)
        #expect(rig.link.report.withLock { ($0.subscribed, $0.subscriptionID, $0.authorizedWorker) } == (true, "n1", "worker"))
    }

    /// Every subscribe reply shape seen in the wild: several tuples, one tuple, no subscription at all.
    @Test(arguments: [
        #"[[["mining.set_difficulty","d1"],["mining.notify","n1"]],"08000002",4]"#,
        #"[["mining.notify","n1"],"08000002",4]"#,
        #"[null,"08000002",4]"#,
    ])
    func acceptsEverySubscribeReplyShape(result: String) throws {
        let rig = try SessionRig()
        try rig.handshake(subscribeResult: result)
        let subscribed = rig.events().compactMap { event -> [UInt8]? in
            if case .subscribed(let extranonce1, 4) = event { extranonce1 } else { nil }
        }
        #expect(subscribed == [[0x08, 0, 0, 0x02]])
    }

    /// A notify that comes before the subscribe reply is kept and becomes the first job, as a clean one.
    @Test func aJobBeforeTheSubscribeReplyIsKept() throws {
        let rig = try SessionRig()
        let subscribe = try rig.request("mining.subscribe")
        try rig.receive(Self.notify)
        try rig.receive(#"{"id":\#(subscribe.id.serialized),"result":[null,"08000002",4],"error":null}"#)
        let jobs = rig.events().compactMap { event -> Bool? in if case .job(_, let clean) = event { clean } else { nil } }
        #expect(jobs == [true])
    }

    /// A refused worker ends the session with the pool's reason, from either error encoding.
    @Test(arguments: [#"[24,"unknown worker",null]"#, #"{"code":24,"message":"unknown worker"}"#])
    func aRefusedWorkerEndsTheSession(error: String) throws {
        let rig = try SessionRig()
        let subscribe = try rig.request("mining.subscribe")
        try rig.receive(#"{"id":\#(subscribe.id.serialized),"result":[null,"08000002",4],"error":null}"#)
        let authorize = try rig.request("mining.authorize")
        try rig.receive(#"{"id":\#(authorize.id.serialized),"result":null,"error":\#(error)}"#)
        let failed = rig.events().compactMap { event -> String? in if case .authorizationFailed(_, let reason) = event { reason } else { nil } }
        #expect(failed.count == 1 && failed[0].contains("unknown worker"), "\(failed)")
        #expect(rig.link.report.withLock { $0.reason }?.contains("unknown worker") == true)
        #expect(!rig.channel.isActive, "the session closed its connection")
    }

    /// A share goes out as the five strings of `mining.submit`, and each verdict encoding a pool uses is read.
    @Test(arguments: [
        (#""result":true,"error":null"#, SubmitOutcome.accepted),
        (#""result":null,"error":[22,"duplicate share",null]"#, .rejected(.duplicate)),
        (#""result":false,"error":{"code":23,"message":"low difficulty share"}"#, .rejected(.lowDifficulty)),
        (#""result":null,"error":"Stale share""#, .rejected(.stale)),
        (#""result":false,"error":null,"reject-reason":"Job not found""#, .rejected(.stale)),
    ])
    func submitsAShareAndReadsEveryVerdictEncoding(answer: String, outcome: SubmitOutcome) throws {
        let rig = try SessionRig()
        try rig.handshake()
        try rig.receive(Self.notify)
        _ = rig.events()
        try rig.session().submit(Self.share, ticket: 41)
        let submit = try rig.request("mining.submit")
        #expect(submit.id == .number(41))
        #expect(submit.params == [.string("worker"), .string("j1"), .string("00000001"), .string("00000005"), .string("00000006")])
        try rig.receive(#"{"id":41,\#(answer)}"#)
        let verdicts = rig.events().compactMap { event -> SubmitOutcome? in
            if case .shareResult(41, _, _, let outcome, _) = event { outcome } else { nil }
        }
        #expect(verdicts == [outcome])
    }

    /// The pool's own requests: ping and get_version answered, an unknown method refused with an error
    /// (and a notification of one ignored), a message passed on; a damaged line changes nothing.
    @Test func answersThePoolsRequests() throws {
        let rig = try SessionRig()
        try rig.handshake()
        _ = rig.events()
        try rig.receive(#"{"id":"p1","method":"mining.ping","params":[]}"#)
        try rig.receive(#"{"id":7,"method":"client.get_version","params":[]}"#)
        try rig.receive(#"{"id":8,"method":"mining.something_new","params":[1]}"#)
        try rig.receive(#"{"id":null,"method":"mining.something_else","params":[]}"#)
        try rig.receive(#"{"id":null,"method":"client.show_message","params":["maintenance at noon"]}"#)
        try rig.receive(#"{"id":9,"method":"#)
        let answers = try rig.sent().compactMap { message -> String? in
            if case .response(let id, let result, let error, _) = message { "\(id.serialized) \(result.serialized) \(error.serialized)" } else { nil }
        }
        #expect(answers == [#""p1" "pong" null"#, #"7 "nightminer/test" null"#, #"8 null [20,"unsupported method",null]"#])
        let messages = rig.events().compactMap { event -> String? in if case .message(let text) = event { text } else { nil } }
        #expect(messages == ["maintenance at noon"])
        #expect(rig.channel.isActive)
    }

    /// `mining.set_extranonce` applies from the next job; `client.reconnect` to the same host is noted for
    /// the client to follow, and one to another host is ignored.
    @Test func setExtranonceAndReconnect() throws {
        let rig = try SessionRig()
        try rig.handshake()
        try rig.receive(Self.notify)
        try rig.receive(#"{"id":null,"method":"mining.set_extranonce","params":["aabbccdd",2]}"#)
        try rig.receive(Self.notify.replacingOccurrences(of: #""j1""#, with: #""j2""#))
        let jobs = rig.events().compactMap { event -> Job? in if case .job(let job, _) = event { job } else { nil } }
        #expect(jobs.map(\.id) == ["j1", "j2"])
        #expect(jobs.last?.extranonce2Size == 2)
        try rig.receive(#"{"id":null,"method":"client.reconnect","params":["elsewhere.test",3334,0]}"#)
        #expect(rig.link.report.withLock { $0.redirect } == nil)
        try rig.receive(#"{"id":null,"method":"client.reconnect","params":["pool.test","3335",1]}"#)
        let redirect = rig.link.report.withLock { $0.redirect }
        #expect(redirect?.host == "pool.test" && redirect?.port == 3335 && redirect?.wait == .seconds(1))
    }

    /// A difficulty below the algorithm's floor (a share per 256 hashes) is ignored, not obeyed.
    @Test func aDifficultyBelowTheFloorIsIgnored() throws {
        let rig = try SessionRig()
        try rig.handshake()
        _ = rig.events()
        try rig.receive(#"{"id":null,"method":"mining.set_difficulty","params":[1e-12]}"#)
        try rig.receive(#"{"id":null,"method":"mining.set_difficulty","params":["high"]}"#)
        try rig.receive(#"{"id":null,"method":"mining.set_difficulty","params":[0.5]}"#)
        let difficulties = rig.events().compactMap { event -> Double? in if case .difficulty(let value) = event { value } else { nil } }
        #expect(difficulties == [0.5])
    }

    /// Text from the pool is kept to 512 bytes wherever it is kept (messages, the reason a session ended,
    /// reject reasons): a pool may send lines of up to 64 KiB.
    @Test func poolTextIsCutTo512Bytes() throws {
        let long = String(repeating: "é", count: 30_000)
        #expect(PoolText.bounded("short") == "short")
        let cut = PoolText.bounded(long)
        #expect(cut.utf8.count <= 512 && cut.hasSuffix("…") && cut.hasPrefix("éé"))
        let rig = try SessionRig()
        try rig.handshake()
        _ = rig.events()
        try rig.receive(#"{"id":null,"method":"client.show_message","params":["\#(long)"]}"#)
        try rig.session().submit(Self.share, ticket: 61)
        _ = try rig.sent()
        try rig.receive(#"{"id":61,"result":null,"error":[20,"\#(long)",null]}"#)
        let events = rig.events()
        let message = events.compactMap { event -> String? in if case .message(let text) = event { text } else { nil } }
        #expect(message.count == 1 && message[0].utf8.count <= 512)
        let reasons = events.compactMap { event -> RejectReason? in
            if case .shareResult(_, _, _, .rejected(let reason), _) = event { reason } else { nil }
        }
        guard reasons.count == 1, case .other(let text) = reasons[0] else {
            Issue.record("verdicts: \(reasons)")
            return
        }
        #expect(text.utf8.count <= 512)
        try rig.session().end(long)
        #expect((rig.link.report.withLock { $0.reason }?.utf8.count ?? 0) <= 512)
    }

    /// When the pool goes away, every share still waiting for its verdict is reported lost, once.
    @Test func sharesInFlightAreLostWhenTheConnectionGoes() throws {
        let rig = try SessionRig()
        try rig.handshake()
        try rig.receive(Self.notify)
        let session = try rig.session()
        session.submit(Self.share, ticket: 51)
        session.submit(Self.share, ticket: 52)
        _ = try rig.sent()
        _ = rig.events()
        rig.close()
        let lost = rig.events().compactMap { event -> Int64? in if case .shareLost(let ticket, _, _) = event { ticket } else { nil } }
        #expect(lost.sorted() == [51, 52])
    }
}
