import Foundation
import ProofOfWork
import Stratum
import TestFixtures
import Testing

/// The client against scripted pools over real loopback TCP: odd reply shapes, hostile lines, refusals.
@Suite(.serialized, .timeLimit(.minutes(5))) struct StratumClientTests {
    static let notifyLine = #"{"id":null,"method":"mining.notify","params":["j1","0c859545a3498373a57452fac22eb7113df2a465000543520000000000000000","01000000","ffffffff",[],"20000004","1705ae3a","647025b5",false]}"#

    /// A share to submit (the scripted pools never check it).
    static let share = Share(jobID: "j", extranonce2: [0, 0, 0, 1], ntime: 5, nonce: 6, hash: [UInt8](repeating: 0, count: 32), difficulty: 1)

    func makeClient(_ peer: ScriptedPeer, configure: (inout StratumClientOptions) -> Void = { _ in }) throws -> StratumClient {
        try makeClient(pools: [try Self.pool(peer)], configure: configure)
    }

    func makeClient(pools: [PoolEndpoint], configure: (inout StratumClientOptions) -> Void = { _ in }) throws -> StratumClient {
        var options = StratumClientOptions(userAgent: "nightminer/test")
        options.minimumReconnectDelay = .milliseconds(50)
        options.tickMilliseconds = 50
        configure(&options)
        return StratumClient(pools: pools, algorithm: SHA256d(), options: options)
    }

    static func pool(_ peer: ScriptedPeer, user: String = "worker", password: String = "hunter2") throws -> PoolEndpoint {
        try PoolEndpoint(url: "stratum+tcp://127.0.0.1:\(peer.port)", user: user, password: password)
    }

    /// A client started against `peer` and accepted by it, with a recorder of its events. The caller stops
    /// the client and awaits `run`.
    func started(_ peer: ScriptedPeer, configure: (inout StratumClientOptions) -> Void = { _ in }) async throws
        -> (client: StratumClient, recorder: EventRecorder, run: Task<Void, Never>)
    {
        try await start(peer, configure: configure) { _ in try await offThePool { try peer.accept() } }
    }

    /// A client started against `peer`, which accepts it and answers its subscribe and authorize on one
    /// thread (``ScriptedPeer/acceptAndHandshake()``), for tests with a short response timeout.
    func startedAndAuthorized(_ peer: ScriptedPeer, configure: (inout StratumClientOptions) -> Void = { _ in }) async throws
        -> (client: StratumClient, recorder: EventRecorder, run: Task<Void, Never>)
    {
        try await start(peer, configure: configure) { recorder in
            try await offThePool { try peer.acceptAndHandshake() }
            _ = try await recorder.wait { if case .authorized = $0 { true } else { nil } }
        }
    }

    /// Starts a client against `peer` and runs `opening`; stops the client if that fails.
    private func start(_ peer: ScriptedPeer, configure: (inout StratumClientOptions) -> Void,
                       opening: (EventRecorder) async throws -> Void) async throws
        -> (client: StratumClient, recorder: EventRecorder, run: Task<Void, Never>)
    {
        let client = try makeClient(peer, configure: configure)
        let recorder = EventRecorder(client)
        let run = Task { await client.run() }
        do {
            try await opening(recorder)
        } catch {
            client.stop()
            throw error
        }
        return (client, recorder, run)
    }

    /// Plays the pool's side of a subscription (extranonce1 01000000, 4-byte extranonce2) and a successful
    /// authorization, and waits until the client reports it.
    func subscribeAndAuthorize(_ peer: ScriptedPeer, _ recorder: EventRecorder) async throws {
        let subscribe = try await offThePool { try peer.expect("mining.subscribe") }
        peer.send(#"{"id":\#(subscribe.id.serialized),"result":[[["mining.notify","ae68"]],"01000000",4],"error":null}"#)
        let authorize = try await offThePool { try peer.expect("mining.authorize") }
        peer.send(#"{"id":\#(authorize.id.serialized),"result":true,"error":null}"#)
        _ = try await recorder.wait { if case .authorized = $0 { true } else { nil } }
    }

    @Test func survivesHostileLinesAndStillMines() async throws {
        let peer = try ScriptedPeer()
        defer { peer.close() }
        let (client, recorder, run) = try await started(peer)
        defer { client.stop() }
        let subscribe = try await offThePool { try peer.expect("mining.subscribe") }
        #expect(subscribe.params == [.string("nightminer/test")])
        // A notify before the subscribe reply is kept and used once subscribed.
        peer.send(Self.notifyLine)
        peer.send(#"{"id":\#(subscribe.id.serialized),"result":[[["mining.notify","ae68"]],"01000000",4],"error":null}"#)
        let authorize = try await offThePool { try peer.expect("mining.authorize") }
        #expect(authorize.params == [.string("worker"), .string("hunter2")])
        // Garbage of every kind, none of which may stop the receive loop.
        peer.send("this is not json")
        peer.send(#"{"id":null,"method":"mining.notify","params":["j2","00",1,2,3,4,5,6,7]}"#)
        peer.send(#"{"id":null,"method":"mining.set_difficulty","params":["high"]}"#)
        peer.send(#"{"id":null,"method":"mining.set_difficulty","params":[-4]}"#)
        peer.send(#"{"id":999,"result":true,"error":null}"#)
        peer.send(#"[1,2,3]"#)
        peer.send(#"{"id":77,"method":"mining.unknown_thing","params":[]}"#)
        peer.send(#"{"id":78,"method":"mining.ping","params":[]}"#)
        peer.send(#"{"id":79,"method":"client.get_version","params":[]}"#)
        peer.send(#"{"id":\#(authorize.id.serialized),"result":true,"error":null}"#)
        peer.send(#"{"id":null,"method":"mining.set_difficulty","params":[683]}"#)
        peer.send(Self.notifyLine.replacingOccurrences(of: "\"j1\"", with: "\"j3\""))
        let worker = try await recorder.wait { if case .authorized(let worker) = $0 { worker } else { nil } }
        #expect(worker == "worker")
        let job = try await recorder.wait { event -> Job? in
            if case .job(let job, _) = event, job.id == "j3" { job } else { nil }
        }
        #expect(job.difficulty == 683)
        #expect(job.extranonce1 == [1, 0, 0, 0] && job.extranonce2Size == 4)
        let first = try await recorder.wait { event -> (Job, Bool)? in
            if case .job(let job, let clean) = event, job.id == "j1" { (job, clean) } else { nil }
        }
        #expect(first.1 == true, "the first job after subscribing is clean")
        let replies = try await offThePool { peer.drain(seconds: 0.3) }
        #expect(replies.contains { $0.contains("\"id\":78") && $0.contains("pong") })
        #expect(replies.contains { $0.contains("\"id\":79") && $0.contains("nightminer/test") })
        #expect(replies.contains { $0.contains("\"id\":77") && $0.contains("unsupported method") })
        client.stop()
        await run.value
    }

    /// The mutation fuzzer's damaged lines, sent over the connection: the client keeps the same connection
    /// and still takes the pool's next real job.
    @Test func survivesThousandsOfDamagedLinesOnOneConnection() async throws {
        let peer = try ScriptedPeer()
        defer { peer.close() }
        let (client, recorder, run) = try await started(peer)
        defer { client.stop() }
        try await subscribeAndAuthorize(peer, recorder)
        // client.reconnect is left out: a damaged one may still name a host to move to, which is obeyed.
        let seeds = HostileLineFuzzTests.seeds.filter { !$0.contains("client.reconnect") }
        var random = LineMutator.Generator(state: 31)
        for _ in 0..<3_000 { peer.send(LineMutator.mutate(seeds[random.below(seeds.count)], &random)) }
        peer.send(Self.notifyLine.replacingOccurrences(of: "\"j1\"", with: "\"after-the-storm\""))
        let job = try await recorder.wait { event -> Job? in
            if case .job(let job, _) = event, job.id == "after-the-storm" { job } else { nil }
        }
        #expect(job.header(extranonce2: job.extranonce2(0)).count == 80)
        let reconnects = recorder.all.filter { if case .connecting = $0 { true } else { false } }.count
        #expect(reconnects == 1, "the client reconnected \(reconnects - 1) times")
        client.stop()
        await run.value
    }

    @Test func changedPrevhashMakesAJobClean() async throws {
        let peer = try ScriptedPeer()
        defer { peer.close() }
        let (client, recorder, run) = try await started(peer)
        let subscribe = try await offThePool { try peer.expect("mining.subscribe") }
        peer.send(#"{"id":\#(subscribe.id.serialized),"result":[[["mining.set_difficulty","a"],["mining.notify","b"]],"0100",2],"error":null}"#)
        peer.send(Self.notifyLine)
        peer.send(Self.notifyLine.replacingOccurrences(of: "\"j1\"", with: "\"j2\""))
        peer.send(Self.notifyLine.replacingOccurrences(of: "\"j1\"", with: "\"j3\"").replacingOccurrences(of: "0c859545", with: "0c859546"))
        let cleans = try await recorder.wait { _ -> [String: Bool]? in
            var found = [String: Bool]()
            for event in recorder.all { if case .job(let job, let clean) = event { found[job.id] = clean } }
            return found.count == 3 ? found : nil
        }
        #expect(cleans == ["j1": false, "j2": false, "j3": true])
        client.stop()
        await run.value
    }

    @Test func refusedAuthorizationIsReportedNotFatal() async throws {
        let peer = try ScriptedPeer()
        defer { peer.close() }
        let (client, recorder, run) = try await started(peer)
        let subscribe = try await offThePool { try peer.expect("mining.subscribe") }
        peer.send(#"{"id":\#(subscribe.id.serialized),"result":[[["mining.notify","b"]],"0100",4],"error":null}"#)
        let authorize = try await offThePool { try peer.expect("mining.authorize") }
        peer.send(#"{"id":\#(authorize.id.serialized),"result":null,"error":[24,"Unauthorized worker",null]}"#)
        let why = try await recorder.wait { if case .authorizationFailed(_, let why) = $0 { why } else { nil } }
        #expect(why.contains("Unauthorized worker") && why.contains("worker"))
        #expect(!why.contains("hunter2"))
        _ = try await recorder.wait { if case .disconnected = $0 { true } else { nil } }
        client.stop()
        await run.value
    }

    /// A response timeout short enough for a test, long enough for the handshake's answers from a scripted
    /// peer on a busy machine (the timeout applies to subscribe and authorize too).
    static let shortResponseTimeout = Duration.milliseconds(1500)

    @Test func unansweredSharesAreLostAfterTheTimeout() async throws {
        let peer = try ScriptedPeer()
        defer { peer.close() }
        let (client, recorder, run) = try await startedAndAuthorized(peer) { $0.responseTimeout = Self.shortResponseTimeout }
        let share = Self.share
        let ticket = try #require(client.submit(share))
        let submitted = try await offThePool { try peer.expect("mining.submit") }
        #expect(submitted.params == share.submitParams(worker: "worker"))
        let lost = try await recorder.wait { if case .shareLost(let lost, _, _) = $0 { lost } else { nil } }
        #expect(lost == ticket)
        client.stop()
        await run.value
    }

    @Test func reconnectsAfterThePoolClosesTheConnection() async throws {
        let peer = try ScriptedPeer()
        defer { peer.close() }
        let (client, recorder, run) = try await started(peer)
        _ = try await offThePool { try peer.expect("mining.subscribe") }
        peer.closeConnection()
        let reason = try await recorder.wait { if case .disconnected(let why) = $0 { why } else { nil } }
        #expect(reason.contains("closed"))
        try await offThePool { try peer.accept() }
        _ = try await offThePool { try peer.expect("mining.subscribe") }
        client.stop()
        await run.value
    }

    /// An ended session is freed: it and its link once held each other, so every connection (and every job
    /// it saw) stayed in memory for the life of the process (seen as creeping memory in the soak).
    @Test func endedSessionsAreFreed() async throws {
        let peer = try ScriptedPeer()
        defer { peer.close() }
        let before = StratumClient.liveSessions
        let (client, _, run) = try await started(peer) {
            $0.minimumReconnectDelay = .milliseconds(10)
            $0.maximumReconnectDelay = .milliseconds(30)
        }
        let cycles = 30
        try await offThePool {
            for index in 0..<cycles {
                if index > 0 { try peer.accept() }
                _ = try peer.expect("mining.subscribe")
                peer.closeConnection()
            }
        }
        client.stop()
        await run.value
        // Other tests may hold a few sessions of their own meanwhile; 30 kept ones would show.
        let deadline = ContinuousClock.now + .seconds(10)
        while StratumClient.liveSessions - before >= cycles / 2, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(StratumClient.liveSessions - before < cycles / 2, "\(StratumClient.liveSessions - before) sessions still in memory after \(cycles) ended")
    }

    @Test func anOversizedLineEndsTheSessionAndTheNextOneResumesIt() async throws {
        let peer = try ScriptedPeer()
        defer { peer.close() }
        let (client, recorder, run) = try await started(peer)
        defer { client.stop() }
        try await subscribeAndAuthorize(peer, recorder)
        peer.send(String(repeating: "A", count: 70_000))
        let reason = try await recorder.wait { if case .disconnected(let why) = $0 { why } else { nil } }
        #expect(reason.contains("longer than 65536 bytes"), "\(reason)")
        try await offThePool { try peer.accept() }
        let again = try await offThePool { try peer.expect("mining.subscribe") }
        #expect(again.params == [.string("nightminer/test"), .string("ae68")], "the session id is sent to resume")
        client.stop()
        await run.value
    }

    @Test func timersRunWhateverThePoolSends() async throws {
        let peer = try ScriptedPeer()
        defer { peer.close() }
        let (client, recorder, run) = try await startedAndAuthorized(peer) { $0.responseTimeout = Self.shortResponseTimeout }
        defer { client.stop() }
        let share = Self.share
        let ticket = try #require(client.submit(share))
        _ = try await offThePool { try peer.expect("mining.submit") }
        // A line every 5 ms: the old client ran its timers only in quiet gaps and never gave the share up.
        let chatter = Task {
            try await offThePool {
                for _ in 0..<600 {
                    peer.send(#"{"id":null,"method":"mining.set_difficulty","params":[2]}"#)
                    Thread.sleep(forTimeInterval: 0.005)
                }
            }
        }
        let lost = try await recorder.wait(seconds: 5) { if case .shareLost(let lost, _, _) = $0 { lost } else { nil } }
        #expect(lost == ticket)
        client.stop()
        try await chatter.value
        await run.value
    }

    @Test func aPoolThatStopsReadingIsDroppedAndNothingBlocks() async throws {
        let peer = try ScriptedPeer()
        defer { peer.close() }
        let (client, recorder, run) = try await started(peer) { $0.maximumUnsentBytes = 65_536 }
        defer { client.stop() }
        try await subscribeAndAuthorize(peer, recorder)
        // The pool asks for a pong again and again and never reads one.
        let flood = Task { try await offThePool { peer.flood(#"{"id":1,"method":"mining.ping","params":[]}"#, seconds: 30) } }
        let share = Self.share
        for _ in 0..<100 { _ = client.submit(share) }  // returns at once, whatever the socket's state
        let reason = try await recorder.wait(seconds: 30) { if case .disconnected(let why) = $0 { why } else { nil } }
        #expect(reason.contains("stopped reading"), "\(reason)")
        let pings = try await flood.value
        #expect(pings > 0)
        try await offThePool { try peer.accept() }
        _ = try await offThePool { try peer.expect("mining.subscribe") }
        client.stop()
        await run.value
    }

    /// A `client.reconnect` before the subscribe reply is followed for the pool it came from: the next pool's
    /// credentials never go to the first pool's redirect host.
    @Test func aRedirectStaysWithThePoolItCameFrom() async throws {
        let first = try ScriptedPeer()
        let second = try ScriptedPeer()
        let target = try ScriptedPeer()
        defer { first.close(); second.close(); target.close() }
        let client = try makeClient(pools: [try Self.pool(first, user: "alice", password: "a-secret"),
                                            try Self.pool(second, user: "bob", password: "b-secret")])
        let recorder = EventRecorder(client)
        let run = Task { await client.run() }
        defer { client.stop() }
        try await offThePool { try first.accept() }
        _ = try await offThePool { try first.expect("mining.subscribe") }
        first.send(#"{"id":null,"method":"client.reconnect","params":["127.0.0.1",\#(target.port),0]}"#)
        try await offThePool { try target.accept() }
        let subscribe = try await offThePool { try target.expect("mining.subscribe") }
        target.send(#"{"id":\#(subscribe.id.serialized),"result":[[["mining.notify","1"]],"0100",4],"error":null}"#)
        let authorize = try await offThePool { try target.expect("mining.authorize") }
        #expect(authorize.params == [.string("alice"), .string("a-secret")])
        #expect(!(try await offThePool { second.tryAccept(seconds: 0.3) }))
        #expect(recorder.all.filter { if case .connecting = $0 { true } else { false } }.count == 2)
        client.stop()
        await run.value
    }

    /// A pool change ends a long reconnect wait at once and drops the pending redirect.
    @Test func aPoolChangeEndsTheWaitAndDropsTheRedirect() async throws {
        let first = try ScriptedPeer()
        let target = try ScriptedPeer()
        let replacement = try ScriptedPeer()
        defer { first.close(); target.close(); replacement.close() }
        let (client, recorder, run) = try await started(first)
        defer { client.stop() }
        try await subscribeAndAuthorize(first, recorder)
        first.send(#"{"id":null,"method":"client.reconnect","params":["127.0.0.1",\#(target.port),600]}"#)
        let reason = try await recorder.wait { if case .disconnected(let why) = $0 { why } else { nil } }
        #expect(reason.contains("asked to reconnect"), "\(reason)")
        client.reconfigure(pools: [try Self.pool(replacement)], algorithm: SHA256d())
        #expect(try await offThePool { replacement.tryAccept(seconds: 5) }, "the 600 s wait was not interrupted")
        _ = try await offThePool { try replacement.expect("mining.subscribe") }
        #expect(!(try await offThePool { target.tryAccept(seconds: 0.3) }))
        client.stop()
        await run.value
    }

    /// `mining.extranonce.subscribe` follows a successful authorize; `mining.set_extranonce` applies from
    /// the next job, which is clean so no job of the old extranonce1 is mined on.
    @Test func extranonceSubscriptionAndANewExtranonceFromTheNextJob() async throws {
        let peer = try ScriptedPeer()
        defer { peer.close() }
        let (client, recorder, run) = try await started(peer)
        defer { client.stop() }
        try await subscribeAndAuthorize(peer, recorder)
        let request = try await offThePool { try peer.expect("mining.extranonce.subscribe") }
        peer.send(#"{"id":\#(request.id.serialized),"result":null,"error":[20,"Not supported.",null]}"#)
        peer.send(Self.notifyLine)
        peer.send(#"{"id":null,"method":"mining.set_extranonce","params":["02000000",4]}"#)
        peer.send(Self.notifyLine.replacingOccurrences(of: "\"j1\"", with: "\"j2\""))
        let jobs = try await recorder.wait { _ -> [(Job, Bool)]? in
            let jobs = recorder.all.compactMap { event -> (Job, Bool)? in if case .job(let job, let clean) = event { (job, clean) } else { nil } }
            return jobs.count == 2 ? jobs : nil
        }
        #expect(jobs[0].0.extranonce1 == [1, 0, 0, 0] && jobs[0].1 == false)
        #expect(jobs[1].0.extranonce1 == [2, 0, 0, 0] && jobs[1].1 == true)
        client.stop()
        await run.value
    }

    @Test func protocolDumpsNeverShowThePassword() {
        let line = #"{"id":2,"method":"mining.authorize","params":["worker","hunter2"]}"#
        let masked = StratumClient.maskingPassword(in: line)
        #expect(!masked.contains("hunter2") && masked.contains("worker"))
        #expect(StratumClient.maskingPassword(in: Self.notifyLine) == Self.notifyLine)
    }
}
