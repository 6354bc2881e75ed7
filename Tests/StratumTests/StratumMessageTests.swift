import ProofOfWork
import Stratum
import TestFixtures
import Testing

@Suite(.timeLimit(.minutes(5))) struct StratumMessageTests {
    @Test func classifiesRequestsNotificationsAndResponses() throws {
        #expect(try StratumMessage.parse(#"{"id":null,"method":"mining.set_difficulty","params":[2]}"#)
            == .request(id: .null, method: "mining.set_difficulty", params: [.number(2)]))
        #expect(try StratumMessage.parse(#"{"id":5,"method":"mining.ping"}"#) == .request(id: .number(5), method: "mining.ping", params: []))
        #expect(try StratumMessage.parse(#"{"id":3,"result":true,"error":null}"#)
            == .response(id: .number(3), result: .bool(true), error: .null, extra: [:]))
    }

    @Test func refusesWrongShapes() {
        for line in ["[1,2]", "\"x\"", #"{"id":1}"#, #"{"method":5,"params":[]}"#, #"{"method":"a","params":{}}"#, "not json"] {
            #expect(throws: StratumError.self) { try StratumMessage.parse(line) }
        }
    }

    @Test func readsEverySubscribeReplyShape() throws {
        let stratumMining = try JSONValue.parse(#"[[["mining.set_difficulty","d1"],["mining.notify","n1"]],"08000002",4]"#)
        let a = try Subscription.parseSubscribeResult(stratumMining)
        #expect(a.id == "n1" && a.extranonce1 == [8, 0, 0, 2] && a.extranonce2Size == 4)
        let ckpool = try JSONValue.parse(#"[[["mining.notify","5f6a"]],"f0000001",8]"#)
        let b = try Subscription.parseSubscribeResult(ckpool)
        #expect(b.id == "5f6a" && b.extranonce1 == [0xF0, 0, 0, 1] && b.extranonce2Size == 8)
        let flat = try JSONValue.parse(#"[["mining.notify","ae6812eb4cd7735a302a8a9dd95cf71f"],"f8002c90",2]"#)
        #expect(try Subscription.parseSubscribeResult(flat).extranonce2Size == 2)
        for bad in [#"[[],"zz",4]"#, #"[[],"00",0]"#, #"[[],"00",17]"#, #"[[],"00"]"#, "true"] {
            #expect(throws: StratumError.self) { try Subscription.parseSubscribeResult(try JSONValue.parse(bad)) }
        }
    }

    @Test func readsEveryRejectEncoding() throws {
        func outcome(_ line: String) throws -> SubmitOutcome {
            guard case .response(_, let result, let error, let extra) = try StratumMessage.parse(line) else {
                Issue.record("not a response")
                return .accepted
            }
            return SubmitOutcome(result: result, error: error, extra: extra)
        }
        #expect(try outcome(#"{"id":1,"result":true,"error":null}"#) == .accepted)
        #expect(try outcome(#"{"id":1,"result":null,"error":[21,"Job not found",null]}"#) == .rejected(.stale))
        #expect(try outcome(#"{"id":1,"result":null,"error":[22,"Duplicate share",null]}"#) == .rejected(.duplicate))
        #expect(try outcome(#"{"id":1,"result":null,"error":[23,"Low difficulty share",null]}"#) == .rejected(.lowDifficulty))
        #expect(try outcome(#"{"id":1,"result":null,"error":[24,"Unauthorized worker",null]}"#) == .rejected(.unauthorized))
        #expect(try outcome(#"{"id":1,"result":null,"error":[25,"Not subscribed",null]}"#) == .rejected(.notSubscribed))
        #expect(try outcome(#"{"id":1,"result":null,"error":[20,"Other",null]}"#) == .rejected(.other("Other")))
        #expect(try outcome(#"{"id":1,"result":null,"error":{"code":23,"message":"low diff"}}"#) == .rejected(.lowDifficulty))
        #expect(try outcome(#"{"id":1,"result":null,"error":"Stale share"}"#) == .rejected(.stale))
        #expect(try outcome(#"{"id":1,"result":false,"error":null,"reject-reason":"Above target"}"#) == .rejected(.lowDifficulty))
        #expect(try outcome(#"{"id":1,"result":false,"error":null,"reject-reason":"Invalid JobID"}"#) == .rejected(.stale))
        #expect(try outcome(#"{"id":1,"result":false,"error":null,"reject-reason":"Duplicate"}"#) == .rejected(.duplicate))
        #expect(try outcome(#"{"id":1,"result":null,"error":[-2,"Job 'abc' not found",null]}"#) == .rejected(.stale))
        #expect(try outcome(#"{"id":1,"result":false,"error":null}"#) == .rejected(.other("result: false")))
        #expect(RejectReason.lowDifficulty.key == "low-difficulty")
    }

    @Test func parsesPoolURLs() throws {
        let pool = try PoolEndpoint(url: "stratum+tcp://pool.example.com:3333", user: "w", password: "secret")
        #expect(pool.host == "pool.example.com" && pool.port == 3333)
        #expect(!pool.description.contains("secret"))
        #expect(try PoolEndpoint(url: "127.0.0.1:4444", user: "", password: "").port == 4444)
        #expect(try PoolEndpoint(url: "stratum+tcp://[::1]:3333", user: "", password: "").host == "::1")
        for bad in ["http://x:1", "stratum+tcp://host", "stratum+tcp://host:0", "stratum+tcp://host:99999", "stratum+tcp://:80", "stratum+tcp://a b:1"] {
            #expect(throws: StratumError.self) { try PoolEndpoint(url: bad, user: "", password: "") }
        }
    }
}
