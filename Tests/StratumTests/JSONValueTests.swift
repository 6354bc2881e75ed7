import Stratum
import Testing

@Suite(.timeLimit(.minutes(5))) struct JSONValueTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONValue.parse(#" {"a": [1, -2.5e3, true, false, null, "x\"\\\/\n\u00e9\ud83d\ude00"], "b": {}} "#)
        #expect(value["a"]?.arrayValue?.count == 6)
        #expect(value["a"]?.arrayValue?[1] == .number(-2500))
        #expect(value["a"]?.arrayValue?[5] == .string("x\"\\/\né😀"))
        #expect(value["b"] == .object([:]))
    }

    @Test func refusesMalformedText() {
        for text in ["", "{", "[1,]", "{\"a\" 1}", "nul", "01x", "\"\u{01}\"", "[1] 2", "{\"a\":}", "\"\\x\"", "-", "1.", "1e"] {
            #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
        }
    }

    @Test func refusesNumbersBeyondDoubleRange() throws {
        // Found by HostileLineFuzzTests: 1e999 became infinity, which serialized as null.
        for text in ["1e999", "[-1e400]", "{\"difficulty\": 99999999991e9999999999999}"] {
            do {
                let value = try JSONValue.parse(text)
                Issue.record("\(text) parsed as \(value.serialized)")
            } catch {
                #expect(error.reason == "number out of range", "\(text)")
            }
        }
        #expect(try JSONValue.parse("1e308") == .number(1e308))
        #expect(try JSONValue.parse("1e-999") == .number(0))
    }

    @Test func refusesDeepNestingWithoutCrashing() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
        let fine = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        #expect((try? JSONValue.parse(fine)) != nil)
    }

    @Test func serializesCompactlyAndStably() throws {
        let value = JSONValue.object(["id": .number(7), "method": .string("a\"b\n"), "params": .array([.bool(true), .null, .number(0.5)])])
        #expect(value.serialized == #"{"id":7,"method":"a\"b\n","params":[true,null,0.5]}"#)
        #expect(try JSONValue.parse(value.serialized) == value)
    }
}
