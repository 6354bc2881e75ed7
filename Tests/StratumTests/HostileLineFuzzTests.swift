import ProofOfWork
import Stratum
import TestFixtures
import Testing

/// Mutation fuzzing of everything a pool's line goes through before it becomes a header: JSON parsing,
/// message classification, `mining.subscribe`'s result, `mining.set_difficulty`, `mining.notify` and the job
/// and header built from it. Tens of thousands of damaged lines (bytes flipped, cut, repeated, JSON
/// punctuation and escapes inserted, numbers made huge or negative): none may trap, every failure must be a
/// typed error, and what does parse must behave (JSON round-trips; a job gives an 80-byte header).
@Suite(.timeLimit(.minutes(5))) struct HostileLineFuzzTests {
    static func hex(_ count: Int, _ seed: UInt8) -> String {
        (0..<count).map { i in String(UInt8(truncatingIfNeeded: Int(seed) &+ i &* 37), radix: 16) }
            .map { $0.count == 1 ? "0" + $0 : $0 }.joined()
    }

    /// Lines shaped like what real pools send.
    static let seeds: [String] = [
        #"{"id":1,"result":[[["mining.set_difficulty","b4b6693b72a50c7116db18d6497cac52"],["mining.notify","ae6812eb4cd7735a302a8a9dd95cf71f"]],"08000002",4],"error":null}"#,
        #"{"id":1,"result":[[["mining.notify","0a1b"]],"f8002c90",8],"error":null}"#,
        #"{"id":2,"result":true,"error":null}"#,
        #"{"id":4,"result":null,"error":[23,"Low difficulty share",null]}"#,
        #"{"id":null,"method":"mining.set_difficulty","params":[683.51]}"#,
        #"{"id":null,"method":"mining.set_extranonce","params":["00ff00ff",4]}"#,
        #"{"id":null,"method":"client.reconnect","params":["pool.example.com",3334,5]}"#,
        #"{"id":7,"method":"mining.ping","params":[]}"#,
        "{\"id\":null,\"method\":\"mining.notify\",\"params\":[\"4f2a\",\"\(hex(32, 3))\",\"\(hex(58, 9))\",\"\(hex(48, 17))\",[\"\(hex(32, 5))\",\"\(hex(32, 77))\"],\"20000000\",\"1705ae3a\",\"647025b5\",true]}",
        "{\"params\":[\"b\",\"\(hex(32, 1))\",\"01\",\"02\",[],\"00000002\",\"1d00ffff\",\"495fab29\",false],\"method\":\"mining.notify\",\"id\":null}",
    ]

    @Test func damagedPoolLinesNeverTrapAndFailAsTypedErrors() throws {
        var random = LineMutator.Generator(state: 2026)
        var subscription = Subscription(algorithm: SHA256d())
        try subscription.setSubscription(id: "s", extranonce1: [0x08, 0, 0, 2], extranonce2Size: 4)
        var parsed = 0, jobs = 0
        for iteration in 0..<30_000 {
            let line = LineMutator.mutate(Self.seeds[random.below(Self.seeds.count)], &random)
            // JSON: whatever parses survives a round trip unchanged.
            if let value = try? JSONValue.parse(line) {
                #expect(try JSONValue.parse(value.serialized) == value, "iteration \(iteration): \(line)")
            }
            let message: StratumMessage
            do { message = try StratumMessage.parse(line) } catch { continue }
            parsed += 1
            switch message {
            case .response(_, let result, _, _):
                if let subscribed = try? Subscription.parseSubscribeResult(result) {
                    #expect((1...16).contains(subscribed.extranonce2Size) && subscribed.extranonce1.count <= 32, "iteration \(iteration)")
                }
            case .request(_, "mining.set_difficulty", let params):
                var copy = subscription
                if let difficulty = params.first?.numberValue, (try? copy.setDifficulty(difficulty)) != nil {
                    #expect(copy.difficulty > 0 && copy.difficulty.isFinite, "iteration \(iteration): \(line)")
                }
            case .request(_, "mining.notify", let params):
                guard let notification = try? JobNotification(params: params),
                      let job = try? subscription.createJob(notification) else { continue }
                jobs += 1
                #expect(job.header(extranonce2: job.extranonce2(UInt64(iteration))).count == 80, "iteration \(iteration): \(line)")
            default:
                break
            }
        }
        // The mutations are mild enough that many lines still parse, so the later stages are exercised too.
        #expect(parsed > 3_000, "only \(parsed) damaged lines parsed")
        #expect(jobs > 100, "only \(jobs) damaged notifications made a job")
    }
}
