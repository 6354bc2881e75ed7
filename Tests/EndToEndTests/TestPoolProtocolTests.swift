import Foundation
import JSON
import NIOCore
import NIOEmbedded
import ProofOfWork
import Stratum
import TestFixtures
import TestPool
import Testing

/// The test pool's protocol on `EmbeddedChannel`s: a miner's lines go in by hand and the pool's answers come
/// back at once, with no socket and no sleep; its verdict on every kind of bad share by its code.
@Suite(.timeLimit(.minutes(1))) struct TestPoolProtocolTests {
    /// One miner's connection to `pool`.
    final class Miner {
        let channel = EmbeddedChannel()
        private var nextID = 1

        init(_ pool: TestPoolServer) throws {
            try pool.serve(channel)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40_000)).wait()
        }

        /// Sends a request; returns its id.
        @discardableResult
        func call(_ method: String, _ params: [JSONValue]) throws -> JSONValue {
            defer { nextID += 1 }
            try send(StratumMessage.requestLine(id: .number(Double(nextID)), method: method, params: params))
            return .number(Double(nextID))
        }

        func send(_ line: String) throws {
            try channel.receiveLine(line)
        }

        /// Every line the pool sent since the last read.
        func received() throws -> [StratumMessage] {
            try channel.readOutboundMessages()
        }

        /// The error code of the answer to request `id` (nil: accepted).
        func verdict(_ id: JSONValue) throws -> Int? {
            for case .response(let answered, let result, let error, _) in try received() where answered == id {
                if error.isNull, result.boolValue == true { return nil }
                return error.arrayValue?.first?.integerValue.map(Int.init) ?? -1
            }
            throw Missing.answer(id.serialized)
        }

        /// Subscribes (resuming `resumeID` if given) and authorizes `user`; returns the extranonce1 and the
        /// pool's first job.
        func join(user: String = "w", password: String = "x", resumeID: String? = nil) throws -> (extranonce1: [UInt8], job: JobNotification) {
            let subscribe = try call("mining.subscribe", [.string("test/1")] + (resumeID.map { [.string($0)] } ?? []))
            var extranonce1: [UInt8]?
            var job: JobNotification?
            for message in try received() {
                switch message {
                case .response(let id, let result, _, _) where id == subscribe:
                    extranonce1 = result.arrayValue.flatMap { $0.count == 3 ? $0[1].stringValue : nil }.flatMap(Hex.decode)
                case .request(_, "mining.notify", let params):
                    job = try JobNotification(params: params)
                default:
                    break
                }
            }
            try #require(try verdict(call("mining.authorize", [.string(user), .string(password)])) == nil)
            return (try #require(extranonce1), try #require(job))
        }
    }

    enum Missing: Error {
        case answer(String)
    }

    /// A pool whose share difficulty asks about 16 SHA256d hashes a share.
    static func pool(_ configure: (inout TestPoolConfiguration) -> Void = { _ in }) -> TestPoolServer {
        var configuration = TestPoolConfiguration(algorithm: SHA256d(), difficulty: 16 / 4_294_967_296)
        configure(&configuration)
        return TestPoolServer(configuration: configuration)
    }

    /// Subscribing gets the subscription tuples (in either reply style), an extranonce1 and its size, then the
    /// difficulty and a clean job; authorizing checks the credentials (24 when refused).
    @Test(arguments: [TestPoolConfiguration.SubscribeReplyStyle.stratumMining, .ckpool])
    func subscribeAndAuthorize(style: TestPoolConfiguration.SubscribeReplyStyle) throws {
        let pool = Self.pool {
            $0.subscribeReplyStyle = style
            $0.credentials = ["w": "x"]
        }
        defer { pool.stop() }
        let miner = try Miner(pool)
        let subscribe = try miner.call("mining.subscribe", [.string("test/1")])
        let lines = try miner.received()
        #expect(lines.count == 3, "\(lines)")
        guard lines.count == 3, case .response(subscribe, let result, .null, _) = lines[0],
              case .request(_, "mining.set_difficulty", let difficulty) = lines[1], case .request(_, "mining.notify", let notify) = lines[2]
        else { return }
        let parts = try #require(result.arrayValue)
        #expect(parts[0].arrayValue?.count == (style == .ckpool ? 1 : 2))
        #expect(parts[1].stringValue?.count == 8 && parts[2] == .number(4))
        #expect(difficulty == [.number(16 / 4_294_967_296)])
        #expect(try JobNotification(params: notify).cleanJobs)
        #expect(try miner.verdict(miner.call("mining.authorize", [.string("w"), .string("wrong")])) == 24)
        #expect(try miner.verdict(miner.call("mining.authorize", [.string("w"), .string("x")])) == nil)
    }

    /// Every bad share gets its code: not subscribed 25, malformed 20, unknown worker 24, unknown job 21, wrong
    /// extranonce2 size 20, ntime out of range 20, above the target 23, a duplicate 22; a good one is accepted.
    @Test func everyBadShareGetsItsCode() throws {
        let pool = Self.pool()
        defer { pool.stop() }
        let miner = try Miner(pool)
        #expect(try miner.verdict(miner.call("mining.submit", [.string("w"), .string("j"), .string("00000000"), .string("00000000"), .string("00000000")])) == 25)
        let (extranonce1, notification) = try miner.join()
        let job = try Job(notification: notification, extranonce1: extranonce1, extranonce2Size: 4, difficulty: 16 / 4_294_967_296,
                          algorithm: SHA256d())
        let extranonce2: [UInt8] = [0, 0, 0, 9]
        let found = try #require((UInt32(0)..<100_000).lazy.compactMap { job.verify(extranonce2: extranonce2, nonce: $0) }.first)
        let missed = try #require((UInt32(0)..<100_000).first { job.verify(extranonce2: extranonce2, nonce: $0) == nil })
        func submit(worker: String = "w", job id: String = notification.jobID, extranonce2 text: String = "00000009",
                    ntime: UInt32 = notification.ntime, nonce: UInt32) throws -> Int? {
            try miner.verdict(miner.call("mining.submit", [.string(worker), .string(id), .string(text), .string(Hex.string(ntime)),
                                                            .string(Hex.string(nonce))]))
        }
        #expect(try miner.verdict(miner.call("mining.submit", [.string("w"), .string(notification.jobID)])) == 20)
        #expect(try submit(worker: "someone", nonce: found.nonce) == 24)
        #expect(try submit(job: "no-such-job", nonce: found.nonce) == 21)
        #expect(try submit(extranonce2: "0009", nonce: found.nonce) == 20)
        #expect(try submit(ntime: notification.ntime &- 1, nonce: found.nonce) == 20)
        #expect(try submit(nonce: missed) == 23)
        #expect(try submit(nonce: found.nonce) == nil)
        #expect(try submit(nonce: found.nonce) == 22)
        let statistics = pool.statistics
        #expect(statistics.accepted == 1 && statistics.rejected[22] == 1 && statistics.rejected[23] == 1 && statistics.rejected[20] == 3)
    }

    /// A miner that subscribes with the id of a session it had gets the same extranonce1 back; an unknown
    /// id gets a fresh one. Unknown methods and lines that are not requests get error 20, and the
    /// connection stays.
    @Test func sessionsResumeAndUnknownRequestsAreRefused() throws {
        let pool = Self.pool()
        defer { pool.stop() }
        let first = try Miner(pool)
        let (extranonce1, _) = try first.join()
        let again = try Miner(pool)
        #expect(try again.join(resumeID: Hex.encode(extranonce1)).extranonce1 == extranonce1)
        let other = try Miner(pool)
        #expect(try other.join(resumeID: "deadbeef").extranonce1 != extranonce1)
        #expect(try other.verdict(other.call("mining.frobnicate", [])) == 20)
        try other.send("this is not json")
        let answers = try other.received()
        guard answers.count == 1, case .response(.null, _, let error, _) = answers[0] else {
            Issue.record("\(answers)")
            return
        }
        #expect(error.arrayValue?.first == .number(20))
        #expect(other.channel.isActive)
    }
}
