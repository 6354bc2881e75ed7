import ProofOfWork
import TestFixtures
import Testing

@Suite(.timeLimit(.minutes(5))) struct TargetTests {
    @Test func difficultyOneIsBitcoinsPdiff1() {
        #expect(Target(difficulty: 1)!.hex == "00000000ffff0000000000000000000000000000000000000000000000000000")
        #expect(Target(difficulty: 1) == Target.difficultyOne)
    }

    @Test func scryptTargetsAre65536TimesLarger() {
        #expect(Target(difficulty: 1, scale: 65536)!.hex == "0000ffff00000000000000000000000000000000000000000000000000000000")
        #expect(Scrypt().target(forDifficulty: 2)!.hex == "00007fff80000000000000000000000000000000000000000000000000000000")
    }

    @Test func exactDivision() {
        #expect(Target(difficulty: 256)!.hex == "0000000000ffff00000000000000000000000000000000000000000000000000")
        #expect(Target(difficulty: 3)!.hex == "000000005555000000000000000000000000000000000000000000000000" + "0000")
        #expect(Target(difficulty: 0.5)!.hex == "00000001fffe0000000000000000000000000000000000000000000000000000")
        #expect(Target(difficulty: 1e-12) == Target.maximum)
    }

    @Test func invalidDifficultiesAreRefused() {
        #expect(Target(difficulty: 0) == nil)
        #expect(Target(difficulty: -1) == nil)
        #expect(Target(difficulty: .nan) == nil)
        #expect(Target(difficulty: .infinity) == nil)
    }

    @Test func roundTripsThroughDifficulty() {
        for difficulty in [0.001, 1, 1.5, 683.51, 65536, 1e12] {
            let target = Target(difficulty: difficulty)!
            #expect(abs(target.difficulty() / difficulty - 1) < 1e-9)
        }
    }

    @Test func realPoolShareDifficulty() throws {
        let share = try #require(Vectors.list("stratum_shares").first)
        let hash = SHA256d().hash(header: Vectors.bytes(share["header_hex"]))
        #expect(Hex.encode(hash.reversed()) == share["hash_display"] as? String)
        let difficulty = Target.difficulty(ofHash: hash)
        #expect(abs(difficulty - (share["share_difficulty"] as! Double)) < 1e-6)
        #expect(Target(difficulty: 683)!.isMet(byHash: hash))
        #expect(!Target(difficulty: 684)!.isMet(byHash: hash))
    }

    @Test func comparisonIsLittleEndian() {
        var hash = [UInt8](repeating: 0, count: 32)
        hash[31] = 0x01  // the most significant byte
        #expect(!Target.difficultyOne.isMet(byHash: hash))
        hash[31] = 0
        hash[0] = 0xFF  // the least significant byte
        #expect(Target.difficultyOne.isMet(byHash: hash))
        #expect(Target.stricter(Target(difficulty: 2)!, Target(difficulty: 4)!) == Target(difficulty: 4)!)
    }

    @Test func hexRoundTrips() {
        #expect(Hex.decode("00ff10Ab") == [0, 255, 16, 171])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.uint32("1d00ffff") == 0x1D00_FFFF)
        #expect(Hex.uint32("1d00ff") == nil)
        #expect(Hex.string(0x0A02_9ED1) == "0a029ed1")
    }
}
