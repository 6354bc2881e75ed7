import ProofOfWork
import Stratum
import TestFixtures
import Testing

@Suite(.timeLimit(.minutes(5))) struct JobTests {
    static func realShare() -> (notification: JobNotification, vector: [String: Any]) {
        let vector = Vectors.list("stratum_shares")[0]
        let notify = vector["notify"] as! [String: Any]
        let params: [JSONValue] = [
            .string("job1"), .string(notify["prevhash"] as! String), .string(notify["coinb1"] as! String),
            .string(notify["coinb2"] as! String), .array((notify["merkle_branch"] as! [String]).map { .string($0) }),
            .string(notify["version"] as! String), .string(notify["nbits"] as! String), .string(notify["ntime"] as! String),
            .bool(true),
        ]
        return (try! JobNotification(params: params), vector)
    }

    @Test func assemblesTheRealPoolShareByteForByte() throws {
        let (notification, vector) = Self.realShare()
        let job = try Job(notification: notification, extranonce1: Vectors.bytes(vector["extranonce1"]), extranonce2Size: 4,
                          difficulty: 683, algorithm: SHA256d())
        let submit = vector["submit"] as! [String: Any]
        let extranonce2 = Vectors.bytes(submit["extranonce2"])
        let nonce = Hex.uint32(submit["nonce"] as! String)!
        #expect(Hex.encode(job.merkleRoot(extranonce2: extranonce2)) == vector["merkle_root_internal_bytes"] as? String)
        #expect(Hex.encode(job.header(extranonce2: extranonce2, nonce: nonce)) == vector["header_hex"] as? String)
        let share = try #require(job.verify(extranonce2: extranonce2, nonce: nonce))
        #expect(share.displayHash == vector["hash_display"] as? String)
        #expect(abs(share.difficulty - (vector["share_difficulty"] as! Double)) < 1e-6)
        #expect(share.submitParams(worker: "w") == [.string("w"), .string("job1"), .string("00000000"), .string("647025b5"), .string("0a029ed1")])
        let stricter = try Job(notification: notification, extranonce1: Vectors.bytes(vector["extranonce1"]), extranonce2Size: 4,
                               difficulty: 684, algorithm: SHA256d())
        #expect(stricter.verify(extranonce2: extranonce2, nonce: nonce) == nil)
    }

    @Test func prevhashWordsAreSwappedIntoHeaderOrder() {
        let (notification, _) = Self.realShare()
        #expect(Hex.encode(notification.headerPrevhash).hasPrefix("4595850c738349a3"))
    }

    @Test func validatesEveryNotifyField() throws {
        let (good, _) = Self.realShare()
        var params = good.params
        #expect(try JobNotification(params: params) == good)
        let corruptions: [(Int, JSONValue)] = [
            (0, .number(1)), (0, .string("")), (1, .string("00")), (1, .string(String(repeating: "g", count: 64))),
            (2, .string("abc")), (3, .number(5)), (4, .string("x")), (4, .array([.string("00")])),
            (5, .string("2000000")), (6, .string("1d00ffff00")), (7, .null), (8, .string("true")),
        ]
        for (index, value) in corruptions {
            params = good.params
            params[index] = value
            #expect(throws: StratumError.self) { try JobNotification(params: params) }
        }
        #expect(throws: StratumError.self) { try JobNotification(params: Array(good.params.prefix(8))) }
    }

    @Test func extranonce2HasExactlyTheAnnouncedSize() throws {
        let (notification, _) = Self.realShare()
        for size in [1, 2, 4, 8, 16] {
            let job = try Job(notification: notification, extranonce1: [1, 2, 3, 4], extranonce2Size: size, difficulty: 1, algorithm: SHA256d())
            #expect(job.extranonce2(0x0102).count == size)
        }
        let job = try Job(notification: notification, extranonce1: [], extranonce2Size: 2, difficulty: 1, algorithm: SHA256d())
        #expect(job.extranonce2(0x01_0203) == [0x02, 0x03])
        #expect(throws: StratumError.self) { try Job(notification: notification, extranonce1: [], extranonce2Size: 0, difficulty: 1, algorithm: SHA256d()) }
        #expect(throws: StratumError.self) { try Job(notification: notification, extranonce1: [], extranonce2Size: 4, difficulty: 0, algorithm: SHA256d()) }
    }

    @Test func mineYieldsOnlyValidSharesAndSplitsByStride() throws {
        let (notification, _) = Self.realShare()
        let job = try Job(notification: notification, extranonce1: [9, 9, 9, 9], extranonce2Size: 4, difficulty: 1.0 / 65536,
                          algorithm: SHA256d())
        var even = job.mine(nonceStart: 0, nonceStride: 2)
        var odd = job.mine(nonceStart: 1, nonceStride: 2)
        for _ in 0..<3 {
            let nextEven = even.next(), nextOdd = odd.next()
            let a = try #require(nextEven)
            let b = try #require(nextOdd)
            #expect(a.nonce % 2 == 0 && b.nonce % 2 == 1)
            for share in [a, b] {
                #expect(job.target.isMet(byHash: share.hash))
                #expect(SHA256d().hash(header: job.header(extranonce2: share.extranonce2, nonce: share.nonce)) == share.hash)
            }
        }
        #expect(job.hashrate > 0)
        job.stop()
        #expect(even.next() == nil)
    }

    @Test func subscriptionBindsDifficultyToTheNextJob() throws {
        let (notification, _) = Self.realShare()
        var subscription = Subscription(algorithm: Scrypt())
        #expect(throws: StratumError.self) { try subscription.createJob(notification) }
        try subscription.setSubscription(id: "s", extranonce1: [1], extranonce2Size: 4)
        try subscription.setDifficulty(2)
        subscription.setWorkerName("w")
        let job = try subscription.createJob(notification)
        #expect(job.difficulty == 2 && job.target == Target(difficulty: 2, scale: 65536))
        #expect(subscription.target == job.target && subscription.workerName == "w")
        #expect(throws: StratumError.self) { try subscription.setDifficulty(-1) }
        #expect(subscription.difficulty == 2)
    }
}
