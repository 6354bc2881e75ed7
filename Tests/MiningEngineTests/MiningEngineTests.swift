import Foundation
import Guarded
import MiningEngine
import ProofOfWork
import Synchronization
import Testing

/// The engine's threads on synthetic work: real OS threads, real hashing.
@Suite(.serialized, .timeLimit(.minutes(5))) struct MiningEngineTests {
    /// Work whose header is a fixed pattern plus the extranonce2 counter.
    static func work(_ id: String, algorithm: any ProofOfWork = SHA256d(), target: Target) -> MiningWork {
        let seed = UInt8(truncatingIfNeeded: id.hashValue)
        return MiningWork(jobID: id, algorithm: algorithm, target: target) { counter in
            var header = [UInt8](repeating: seed, count: 80)
            for i in 0..<8 { header[36 + i] = UInt8(truncatingIfNeeded: counter >> UInt64(8 * i)) }
            return header
        }
    }

    /// Collects shares from a stream until `count` arrived or `seconds` passed.
    final class Found: Sendable {
        let shares = Locked<[FoundShare]>([])
    }

    static func collect(_ stream: AsyncStream<FoundShare>, count: Int, seconds: Double = 20) async -> [FoundShare] {
        let found = Found()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await share in stream {
                    let enough = found.shares.withLock { list -> Bool in
                        list.append(share)
                        return list.count >= count
                    }
                    if enough { return }
                }
            }
            group.addTask { try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000))) }
            await group.next()
            group.cancelAll()
        }
        return found.shares.withLock { $0 }
    }

    @Test func sharesAreVerifiedAndNoncesNeverRepeat() async {
        let engine = MiningEngine(maximumSharesPerSecond: 1_000_000)
        let stream = engine.makeShareStream()
        // Every hash meets the maximum target, so every nonce scanned becomes a share.
        let work = Self.work("a", target: .maximum)
        engine.publish(work)
        engine.start(threads: 2)
        let shares = await Self.collect(stream, count: 3_000)
        let stopping = ContinuousClock.now
        engine.stop()
        #expect(stopping.duration(to: .now) < .seconds(5), "stop must not wait for a whole nonce chunk")
        #expect(shares.count == 3_000)
        let keys = Set(shares.map { "\($0.extranonce2)/\($0.nonce)" })
        #expect(keys.count == shares.count, "two threads scanned the same nonce")
        #expect(Set(shares.map(\.thread)) == [0, 1])
        for share in shares.prefix(50) {
            var header = work.header(share.extranonce2)
            BlockHeader.setNonce(share.nonce, in: &header)
            #expect(SHA256d().hash(header: header) == share.hash)
        }
        #expect(engine.ledger.snapshot.invalid == 0)
    }

    @Test func everyShareMeetsTheTarget() async {
        let engine = MiningEngine()
        let stream = engine.makeShareStream()
        let target = Target(difficulty: 1.0 / 65536)!
        engine.publish(Self.work("b", target: target))
        engine.start(threads: 2)
        let shares = await Self.collect(stream, count: 5)
        engine.stop()
        #expect(shares.count == 5)
        for share in shares {
            #expect(target.isMet(byHash: share.hash))
            #expect(share.difficulty >= 1.0 / 65536)
        }
        #expect(engine.ledger.snapshot.bestShareDifficulty >= shares.map(\.difficulty).max()!)
    }

    @Test func aNewJobReachesEveryThreadWithinMilliseconds() async throws {
        let engine = MiningEngine()
        let stream = engine.makeShareStream()
        engine.publish(Self.work("old", algorithm: Scrypt(), target: Target(difficulty: 1e9, scale: 65536)!))
        engine.start(threads: 2)
        try await Task.sleep(for: .milliseconds(300))
        engine.publish(Self.work("new", target: .maximum))
        let published = ContinuousClock.now
        var switched = false
        while ContinuousClock.now - published < .seconds(2) {
            let epochs = engine.epochs
            if epochs.threads.allSatisfy({ $0 == epochs.board }) {
                switched = true
                break
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        let elapsed = ContinuousClock.now - published
        #expect(switched)
        #expect(elapsed < .milliseconds(500), "threads took \(elapsed) to switch")
        let shares = await Self.collect(stream, count: 20)
        engine.stop()
        #expect(shares.count == 20 && shares.allSatisfy { $0.jobID == "new" })
    }

    @Test func aStricterTargetAppliesToTheRunningJob() async {
        let engine = MiningEngine()
        let stream = engine.makeShareStream()
        engine.publish(Self.work("c", target: .maximum))
        engine.tighten(to: Target(difficulty: 1.0 / 1024)!, jobID: "other")  // another job: ignored
        engine.tighten(to: Target(difficulty: 1.0 / 65536)!, jobID: "c")
        engine.tighten(to: Target(difficulty: 1.0 / 1_048_576)!, jobID: "c")  // looser: ignored
        engine.start(threads: 1)
        let shares = await Self.collect(stream, count: 4)
        engine.stop()
        #expect(shares.count == 4)
        #expect(shares.allSatisfy { Target(difficulty: 1.0 / 65536)!.isMet(byHash: $0.hash) })
    }

    @Test func withdrawnWorkIdlesTheThreadsAndStopJoinsThem() async throws {
        let engine = MiningEngine()
        engine.publish(Self.work("d", target: Target(difficulty: 1e12)!))
        engine.start(threads: 2)
        let deadline = ContinuousClock.now + .seconds(30)
        while engine.hashCounts.contains(0), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        engine.withdrawWork()
        // Once a thread has adopted the new epoch it has counted its last batch.
        while ContinuousClock.now < deadline {
            let epochs = engine.epochs
            if epochs.threads.allSatisfy({ $0 == epochs.board }) { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        let before = engine.hashCounts.reduce(0, +)
        try await Task.sleep(for: .milliseconds(200))
        #expect(engine.hashCounts.reduce(0, +) == before)
        #expect(before > 0)
        engine.stop()
        #expect(!engine.isRunning && engine.threadCount == 2)
    }

    @Test func hashrateWindowsAverageOverTheirSpan() {
        let meter = HashrateMeter()
        let start = ContinuousClock.now
        for second in 0...120 {
            // thread 0 does 100 H/s, thread 1 does 300 H/s
            meter.record([UInt64(second * 100), UInt64(second * 300)], at: start + .seconds(second))
        }
        let snapshot = meter.snapshot()
        #expect(abs(snapshot.tenSeconds - 400) < 1e-9)
        #expect(abs(snapshot.oneMinute - 400) < 1e-9)
        #expect(abs(snapshot.fifteenMinutes - 400) < 1e-9)
        #expect(snapshot.perThread.count == 2 && abs(snapshot.perThread[1] - 300) < 1e-9)
        #expect(snapshot.totalHashes == 120 * 400)
        #expect(HashrateMeter().snapshot() == .zero)
    }

    @Test func ledgerCountsEveryOutcome() {
        let ledger = ShareLedger()
        ledger.accepted(poolDifficulty: 2)
        ledger.accepted(poolDifficulty: 3)
        ledger.rejected(reason: "stale")
        ledger.rejected(reason: "stale")
        ledger.rejected(reason: "duplicate")
        ledger.stale()
        ledger.lost()
        ledger.found(difficulty: 9)
        ledger.found(difficulty: 4)
        let stats = ledger.snapshot
        #expect(stats.accepted == 2 && stats.acceptedDifficulty == 5)
        #expect(stats.rejected == ["stale": 2, "duplicate": 1] && stats.rejectedTotal == 3)
        #expect(stats.stale == 1 && stats.lost == 1 && stats.bestShareDifficulty == 9)
    }

    /// An algorithm whose every hash takes `delay`: a batch is one slow hash.
    struct SlowHash: ProofOfWork {
        var delay: Duration
        var name: String { "slow" }
        var difficultyScale: Double { 1 }
        var batchSize: UInt32 { 1 }
        func hash(header: [UInt8]) -> [UInt8] {
            Thread.sleep(forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) * 1e-18)
            return SHA256.doubleHash(header)
        }
    }

    /// The old stop() spin-waited (usleep) for the threads, from async code too: now it returns at once and
    /// stopped() waits without blocking a thread.
    @Test func stopReturnsAtOnceAndStoppedWaitsForTheThreads() async {
        let engine = MiningEngine()
        engine.publish(Self.work("slow", algorithm: SlowHash(delay: .milliseconds(600)), target: Target(difficulty: 1e9, scale: 1)!))
        engine.start(threads: 2)
        try? await Task.sleep(for: .milliseconds(200))
        let clock = ContinuousClock()
        let stopping = clock.now
        engine.stop()
        let returned = stopping.duration(to: clock.now)
        #expect(returned < .milliseconds(100), "stop() took \(returned)")
        await engine.stopped()
        let exited = stopping.duration(to: clock.now)
        #expect(exited > .milliseconds(100), "stopped() returned before the threads finished their batch (\(exited))")
        #expect(exited < .seconds(3))
    }

    /// A difficulty far too low makes every hash a share: each thread sends at most its quota a second.
    @Test func sharesPerThreadAreCappedPerSecond() async {
        let engine = MiningEngine(maximumSharesPerSecond: 20)
        let stream = engine.makeShareStream()
        engine.publish(Self.work("flood", target: .maximum))
        engine.start(threads: 1)
        let shares = await Self.collect(stream, count: 10_000, seconds: 1.5)
        engine.stop()
        await engine.stopped()
        #expect(shares.count >= 20 && shares.count <= 45, "\(shares.count) shares in 1.5 s at 20 a second")
    }

    /// Work published again with the same progress continues where the threads stopped.
    @Test func republishedWorkContinuesWhereItStopped() async {
        let engine = MiningEngine(maximumSharesPerSecond: 1_000_000)
        let stream = engine.makeShareStream()
        let found = Found()
        let consumer = Task { for await share in stream { found.shares.withLock { $0.append(share) } } }
        let progress = WorkProgress()
        var work = Self.work("again", target: .maximum)
        work.progress = progress
        engine.publish(work)
        engine.start(threads: 1)
        while found.shares.withLock({ $0.count }) < 500 { try? await Task.sleep(for: .milliseconds(10)) }
        engine.withdrawWork()
        try? await Task.sleep(for: .milliseconds(200))
        let mark = found.shares.withLock { $0.count }
        let reached = progress.claimed
        engine.publish(work)
        while found.shares.withLock({ $0.count }) < mark + 500 { try? await Task.sleep(for: .milliseconds(10)) }
        engine.stop()
        await engine.stopped()
        engine.closeShareStream()
        await consumer.value
        let shares = found.shares.withLock { $0 }
        let keys = shares.map { "\($0.extranonce2)/\($0.nonce)" }
        #expect(Set(keys).count == keys.count, "a nonce was hashed twice")
        let again = shares[mark...]
        #expect(again.allSatisfy { ($0.extranonce2 << 32 | UInt64($0.nonce)) >= reached }, "the second run started before \(reached)")
    }
}
