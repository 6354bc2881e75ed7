import NightMiner
import ProofOfWork
import Synchronization
import Stratum
import TestPool
import Testing

/// The original nightminer's plug-in example: MD5 of the header, as a proof of work registered by name.
struct MD5Work: ProofOfWork {
    var name: String { "md5" }
    var difficultyScale: Double { 1 }

    /// 16 zero bytes, then MD5(header): read little-endian, the digest is the number's high half, so
    /// difficulty means what it does for SHA256d.
    func hash(header: [UInt8]) -> [UInt8] { [UInt8](repeating: 0, count: 16) + MD5.digest(header) }
}

/// MD5Work that counts its hash calls, to show a share is hashed once: by the scan that found it.
struct CountingMD5Work: ProofOfWork {
    final class Calls: Sendable {
        let count = Atomic<UInt64>(0)
    }

    let calls = Calls()
    var name: String { "md5" }
    var difficultyScale: Double { 1 }
    func hash(header: [UInt8]) -> [UInt8] {
        calls.count.add(1, ordering: .relaxed)
        return MD5Work().hash(header: header)
    }
}

/// RFC 1321 MD5, written plainly for the test.
enum MD5 {
    static let shifts: [UInt32] = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                   5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
                                   4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                   6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21]
    static let constants: [UInt32] = (0..<64).map { UInt32(truncatingIfNeeded: Int64(abs(sin(Double($0 + 1))) * 4_294_967_296)) }

    static func digest(_ message: [UInt8]) -> [UInt8] {
        var bytes = message
        let bitLength = UInt64(message.count) * 8
        bytes.append(0x80)
        while bytes.count % 64 != 56 { bytes.append(0) }
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(8 * i))) }
        var a0: UInt32 = 0x6745_2301, b0: UInt32 = 0xEFCD_AB89, c0: UInt32 = 0x98BA_DCFE, d0: UInt32 = 0x1032_5476
        for chunk in stride(from: 0, to: bytes.count, by: 64) {
            let m = (0..<16).map { i -> UInt32 in
                let o = chunk + 4 * i
                return UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
            }
            var a = a0, b = b0, c = c0, d = d0
            for i in 0..<64 {
                var f: UInt32
                let g: Int
                switch i {
                case 0..<16: f = (b & c) | (~b & d); g = i
                case 16..<32: f = (d & b) | (~d & c); g = (5 * i + 1) % 16
                case 32..<48: f = b ^ c ^ d; g = (3 * i + 5) % 16
                default: f = c ^ (b | ~d); g = (7 * i) % 16
                }
                f = f &+ a &+ constants[i] &+ m[g]
                a = d; d = c; c = b
                b = b &+ (f << shifts[i] | f >> (32 - shifts[i]))
            }
            a0 = a0 &+ a; b0 = b0 &+ b; c0 = c0 &+ c; d0 = d0 &+ d
        }
        return [a0, b0, c0, d0].flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> UInt32(8 * $0)) } }
    }
}

import Foundation

@Suite(.serialized, .timeLimit(.minutes(5))) struct CustomAlgorithmTests {
    @Test func md5IsRight() {
        #expect(Hex.encode(MD5.digest(Array("abc".utf8))) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(Hex.encode(MD5.digest([])) == "d41d8cd98f00b204e9800998ecf8427e")
    }

    @Test func jobMineFindsMD5Shares() throws {
        let registry = AlgorithmRegistry.standard()
        registry.register(MD5Work())
        let algorithm = try #require(registry.algorithm(named: "md5"))
        var subscription = Subscription(algorithm: algorithm)
        try subscription.setSubscription(id: nil, extranonce1: [1, 2, 3, 4], extranonce2Size: 4)
        try subscription.setDifficulty(1.0 / 65536)
        let notification = try JobNotification(params: [
            .string("md5job"), .string(String(repeating: "ab", count: 32)), .string("0100"), .string("ff"), .array([]),
            .string("20000000"), .string("1d00ffff"), .string("5f5e1000"), .bool(true),
        ])
        let job = try subscription.createJob(notification)
        var shares = job.mine()
        for _ in 0..<3 {
            let next = shares.next()
            let share = try #require(next)
            let header = job.header(extranonce2: share.extranonce2, nonce: share.nonce)
            #expect(MD5Work().hash(header: header) == share.hash)
            #expect(job.target.isMet(byHash: share.hash))
        }
        job.stop()
    }

    @Test func minerMinesARegisteredAlgorithmAgainstTheTestPool() async throws {
        let registry = AlgorithmRegistry.standard()
        registry.register(MD5Work())
        let pool = try await Harness.pool(MD5Work(), difficulty: 1.0 / 16384)
        defer { pool.stop() }
        let miner = try Miner(configuration: try Harness.configuration(for: pool, algorithm: "md5"), registry: registry)
        let run = Harness.start(miner)
        let reached = await Harness.waitUntil { pool.statistics.accepted >= 4 }
        miner.stop()
        _ = await run.value
        #expect(reached)
        #expect(pool.statistics.rejected.isEmpty)
        #expect(miner.snapshot.algorithm == "md5")
    }

    @Test func aShareIsHashedOnceFromTheScanToThePool() async throws {
        // The miner's algorithm counts its hashes; the pool checks shares with its own (uncounted) one.
        let counting = CountingMD5Work()
        let registry = AlgorithmRegistry.standard()
        registry.register(counting)
        let pool = try await Harness.pool(MD5Work(), difficulty: 1.0 / 16384)
        defer { pool.stop() }
        let miner = try Miner(configuration: try Harness.configuration(for: pool, algorithm: "md5"), registry: registry)
        let run = Harness.start(miner)
        let reached = await Harness.waitUntil { pool.statistics.accepted >= 6 }
        miner.stop()
        _ = await run.value
        await miner.engine.stopped()
        #expect(reached)
        #expect(pool.statistics.rejected.isEmpty)
        let scanned = miner.engine.hashCounts.reduce(0, +)
        let found = miner.engine.ledger.snapshot.accepted
        #expect(found >= 6)
        // Every hash is a nonce scanned: none for the engine's check, none for the submit (was 2 a share).
        #expect(counting.calls.count.load(ordering: .relaxed) == scanned,
                "\(counting.calls.count.load(ordering: .relaxed)) hashes for \(scanned) nonces scanned and \(found) shares accepted")
    }
}
