import Foundation
import ProofOfWork
import Stratum
import TestFixtures
import Testing

/// Pools that fail the way pools in the wild do: stop answering, cannot be reached, redirect in a loop or
/// far away, recover while the client is elsewhere; and difficulties no machine should mine at.
@Suite(.serialized, .timeLimit(.minutes(5))) struct PoolFailureTests {
    let base = StratumClientTests()

    /// Answers subscribe and authorize on `peer`'s current connection and sends a job.
    func serve(_ peer: ScriptedPeer, _ recorder: EventRecorder) async throws {
        try await base.subscribeAndAuthorize(peer, recorder)
        peer.send(StratumClientTests.notifyLine)
        _ = try await recorder.wait { if case .job = $0 { true } else { nil } }
    }

    /// A port nothing listens on (bound, then closed).
    static func closedPort() throws -> Int {
        let (fd, port) = try TestSocket.listen(host: "127.0.0.1", port: 0)
        TestSocket.close(fd)
        return port
    }

    /// The old client gave an unanswered share up as lost and stayed on the pool for ever, while the pool
    /// kept talking (pings): now the session ends and the client moves to the backup at once.
    @Test func aPoolThatStopsAnsweringIsLeftForTheBackup() async throws {
        let primary = try ScriptedPeer()
        let backup = try ScriptedPeer()
        defer { primary.close(); backup.close() }
        let client = try base.makeClient(pools: [try StratumClientTests.pool(primary), try StratumClientTests.pool(backup)]) {
            // Long enough for the handshake's answers on a busy machine (the timeout applies to them too).
            $0.responseTimeout = .milliseconds(1500)
            $0.minimumReconnectDelay = .seconds(5)
        }
        let recorder = EventRecorder(client)
        let run = Task { await client.run() }
        defer { client.stop() }
        try await offThePool { try primary.acceptAndHandshake() }
        _ = try await recorder.wait { if case .authorized = $0 { true } else { nil } }
        primary.send(StratumClientTests.notifyLine)
        _ = try await recorder.wait { if case .job = $0 { true } else { nil } }
        let ticket = try #require(client.submit(StratumClientTests.share))
        _ = try await offThePool { try primary.expect("mining.submit") }
        // Pings keep coming; the answer never does.
        let pinging = Task {
            try await offThePool {
                for index in 0..<40 {
                    primary.send(#"{"id":\#(1000 + index),"method":"mining.ping","params":[]}"#)
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }
        }
        let lost = try await recorder.wait(seconds: 6) { if case .shareLost(let lost, _, _) = $0 { lost } else { nil } }
        #expect(lost == ticket)
        let reason = try await recorder.wait(seconds: 3) { if case .disconnected(let why) = $0 { why } else { nil } }
        #expect(reason.contains("unresponsive"), "\(reason)")
        // At once, not after a 5 s backoff or three failed sessions.
        let started = ContinuousClock.now
        try await offThePool { try backup.accept() }
        #expect(started.duration(to: .now) < .seconds(3))
        _ = try await offThePool { try backup.expect("mining.subscribe") }
        let moved = try await recorder.wait { if case .failover(_, let to, _) = $0 { to } else { nil } }
        #expect(moved.port == backup.port)
        try await pinging.value
        client.stop()
        await run.value
    }

    /// The oldest unanswered request's age is visible while it waits.
    @Test func theOldestUnansweredRequestIsShown() async throws {
        let peer = try ScriptedPeer()
        defer { peer.close() }
        let (client, recorder, run) = try await base.started(peer) { $0.responseTimeout = .seconds(30) }
        defer { client.stop() }
        try await serve(peer, recorder)
        #expect(client.oldestUnansweredRequest == nil)
        _ = try #require(client.submit(StratumClientTests.share))
        let submit = try await offThePool { try peer.expect("mining.submit") }
        try await Task.sleep(for: .milliseconds(400))
        let age = try #require(client.oldestUnansweredRequest)
        #expect(age >= .milliseconds(200) && age < .seconds(5), "\(age)")
        peer.send(#"{"id":\#(submit.id.serialized),"result":true,"error":null}"#)
        _ = try await recorder.wait { if case .shareResult = $0 { true } else { nil } }
        try await Task.sleep(for: .milliseconds(200))
        #expect(client.oldestUnansweredRequest == nil)
        client.stop()
        await run.value
    }

    /// The old client retried an unreachable pool three times, with backoff, before it tried the next one.
    @Test func anUnreachablePoolIsLeftAtOnce() async throws {
        let backup = try ScriptedPeer()
        defer { backup.close() }
        let dead = try PoolEndpoint(url: "stratum+tcp://127.0.0.1:\(try Self.closedPort())", user: "w", password: "x")
        let client = try base.makeClient(pools: [dead, try StratumClientTests.pool(backup)]) { $0.minimumReconnectDelay = .seconds(3) }
        let recorder = EventRecorder(client)
        let started = ContinuousClock.now
        let run = Task { await client.run() }
        defer { client.stop() }
        try await offThePool { try backup.accept() }
        #expect(started.duration(to: .now) < .seconds(2), "the backup was tried only after \(started.duration(to: .now))")
        let reason = try await recorder.wait { if case .failover(_, _, let why) = $0 { why } else { nil } }
        #expect(reason.contains("cannot connect"), "\(reason)")
        client.stop()
        await run.value
    }

    /// `client.reconnect` with no wait, before any work: the old client reconnected in a tight loop.
    @Test func aRedirectLoopBacksOff() async throws {
        let peer = try ScriptedPeer()
        defer { peer.close() }
        let (client, _, run) = try await base.started(peer) { $0.minimumReconnectDelay = .milliseconds(200) }
        defer { client.stop() }
        let connections = try await offThePool { () throws -> Int in
            var connections = 1
            let deadline = Date().addingTimeInterval(2.5)
            while Date() < deadline {
                let subscribe = try peer.expect("mining.subscribe")
                peer.send(#"{"id":\#(subscribe.id.serialized),"result":[[["mining.notify","ae68"]],"01000000",4],"error":null}"#)
                peer.send(#"{"id":null,"method":"client.reconnect","params":["127.0.0.1",\#(peer.port),0]}"#)
                guard peer.tryAccept(seconds: max(0.1, deadline.timeIntervalSinceNow)) else { break }
                connections += 1
            }
            return connections
        }
        // 200 ms, 400 ms, 800 ms, 1.6 s (with jitter): at most five connections in 2.5 s.
        #expect(connections <= 5, "\(connections) connections in 2.5 s")
        #expect(connections >= 2, "the client never followed the redirect")
        client.stop()
        await run.value
    }

    /// `client.reconnect` asking for a long wait, with a backup pool: the old client sat idle for it.
    @Test func aLongRedirectWaitUsesTheBackupMeanwhile() async throws {
        let primary = try ScriptedPeer()
        let backup = try ScriptedPeer()
        defer { primary.close(); backup.close() }
        let client = try base.makeClient(pools: [try StratumClientTests.pool(primary), try StratumClientTests.pool(backup)]) {
            $0.reconnectGrace = .milliseconds(100)
        }
        let recorder = EventRecorder(client)
        let run = Task { await client.run() }
        defer { client.stop() }
        try await offThePool { try primary.accept() }
        try await serve(primary, recorder)
        primary.send(#"{"id":null,"method":"client.reconnect","params":["127.0.0.1",\#(primary.port),600]}"#)
        try await offThePool { try backup.accept() }
        _ = try await offThePool { try backup.expect("mining.subscribe") }
        let reason = try await recorder.wait { if case .failover(_, _, let why) = $0 { why } else { nil } }
        #expect(reason.contains("asked to reconnect"), "\(reason)")
        client.stop()
        await run.value
    }

    /// Pools A, B, C; mining on C while B recovers; then the list shrinks to A alone before the session on C
    /// has ended. The old client kept the failback to B and, at the next session's end, indexed the new
    /// one-pool list out of range (a crash).
    @Test func aFailbackPendingWhenThePoolListShrinksIsDropped() async throws {
        let recovering = try ScriptedPeer()
        let last = try ScriptedPeer()
        defer { recovering.close(); last.close() }
        let dead = try PoolEndpoint(url: "stratum+tcp://127.0.0.1:\(try Self.closedPort())", user: "w", password: "x")
        let client = try base.makeClient(pools: [dead, try StratumClientTests.pool(recovering), try StratumClientTests.pool(last)]) {
            $0.failuresBeforeFailover = 1
            $0.failbackAfter = .zero
            $0.reconnectGrace = .seconds(3)
            $0.responseTimeout = .seconds(30)
        }
        let recorder = EventRecorder(client)
        let run = Task { await client.run() }
        defer { client.stop() }
        // B refuses the first subscription, so the client moves on to C.
        try await offThePool { try recovering.accept() }
        let subscribe = try await offThePool { try recovering.expect("mining.subscribe") }
        recovering.send(#"{"id":\#(subscribe.id.serialized),"result":null,"error":[20,"not now",null]}"#)
        try await offThePool { try last.accept() }
        try await serve(last, recorder)
        // A share C never answers keeps the session on C draining after the failback is chosen.
        _ = try #require(client.submit(StratumClientTests.share))
        _ = try await offThePool { try last.expect("mining.submit") }
        // B answers the failback probe: healthy.
        try await offThePool { try recovering.accept() }
        let probe = try await offThePool { try recovering.expect("mining.subscribe") }
        recovering.send(#"{"id":\#(probe.id.serialized),"result":[[["mining.notify","b"]],"02000000",4],"error":null}"#)
        let authorize = try await offThePool { try recovering.expect("mining.authorize") }
        recovering.send(#"{"id":\#(authorize.id.serialized),"result":true,"error":null}"#)
        try await Task.sleep(for: .milliseconds(300))
        // The list shrinks to the dead pool alone while C drains; its sessions fail and end, again and again.
        client.reconfigure(pools: [dead], algorithm: SHA256d())
        _ = try await recorder.wait { if case .disconnected(let why) = $0, why.contains("cannot connect") { true } else { nil } }
        _ = try await recorder.wait { event -> Bool? in
            if case .connecting = event, recorder.all.filter({ if case .connecting = $0 { true } else { false } }).count >= 6 { return true }
            return nil
        }
        #expect(client.currentPool == dead)
        #expect(client.poolStatuses.count == 1)
        client.stop()
        await run.value
    }

    /// Scrypt's difficulty unit is 65,536 times SHA256d's: the old floor (1/65536 for every algorithm) let a
    /// scrypt pool make every hash a share.
    @Test func theDifficultyFloorIsPerAlgorithm() async throws {
        let peer = try ScriptedPeer()
        defer { peer.close() }
        let client = StratumClient(pools: [try StratumClientTests.pool(peer)], algorithm: Scrypt(),
                                   options: {
                                       var options = StratumClientOptions(userAgent: "nightminer/test")
                                       options.tickMilliseconds = 50
                                       return options
                                   }())
        let recorder = EventRecorder(client)
        let run = Task { await client.run() }
        defer { client.stop() }
        try await offThePool { try peer.accept() }
        try await base.subscribeAndAuthorize(peer, recorder)
        peer.send(#"{"id":null,"method":"mining.set_difficulty","params":[0.0000152587890625]}"#)
        peer.send(#"{"id":null,"method":"mining.set_difficulty","params":[0.02]}"#)
        let first = try await recorder.wait { if case .difficulty(let value) = $0 { value } else { nil } }
        #expect(first == 0.02, "a scrypt difficulty of 1/65536 (every hash a share) was taken")
        client.stop()
        await run.value
    }
}
