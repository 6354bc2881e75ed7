import ProofOfWork
import TestFixtures
import Testing

/// Fast scanners against the reference hash: the scanner must stop exactly where the reference says.
@Suite struct ScannerTests {
    struct Lcg {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state
        }
        mutating func header() -> [UInt8] { (0..<80).map { _ in UInt8(truncatingIfNeeded: next() >> 33) } }
    }

    /// Target one below `hash` (so that hash itself fails), or nil when hash is zero.
    static func justBelow(_ hash: [UInt8]) -> Target? {
        var limbs = Target(littleEndianBytes: hash)!.limbs
        for i in 0..<8 {
            if limbs[i] > 0 { limbs[i] -= 1; return Target(limbs: limbs) }
            limbs[i] = .max
        }
        return nil
    }

    func checkAgainstReference(_ algorithm: any ProofOfWork, headers: Int, width: UInt32, starts: [UInt32]) {
        var random = Lcg(state: 42)
        let scanner = algorithm.makeScanner()
        for index in 0..<headers {
            var header = random.header()
            let start = starts[index % starts.count]
            let count = UInt32(min(UInt64(width), (1 << 32) - UInt64(start)))
            var best: (nonce: UInt32, hash: [UInt8])?
            for offset in 0..<count {
                BlockHeader.setNonce(start + offset, in: &header)
                let hash = algorithm.hash(header: header)
                if best == nil || Target(littleEndianBytes: hash)!.isLess(than: Target(littleEndianBytes: best!.hash)!) {
                    best = (start + offset, hash)
                }
            }
            scanner.load(header: header)
            let hit = scanner.scan(from: start, count: width, target: Target(littleEndianBytes: best!.hash)!)
            #expect(hit == ScanResult(hashesDone: best!.nonce - start + 1, nonce: best!.nonce))
            if let below = Self.justBelow(best!.hash) {
                #expect(scanner.scan(from: start, count: width, target: below) == ScanResult(hashesDone: count, nonce: nil))
            }
        }
    }

    @Test func sha256dScannerMatchesReference() {
        checkAgainstReference(SHA256d(), headers: 200, width: 37, starts: [0, 0xFFFF_FFF0, 12345, 0xFFFF_FFFF])
    }

    @Test func scryptScannerMatchesReference() {
        checkAgainstReference(Scrypt(), headers: 12, width: 9, starts: [0, 0xFFFF_FFFC, 777])
    }

    @Test func referenceScannerMatchesReference() {
        let plain = ReferenceScanner(algorithm: SHA256d())
        let fast = SHA256dScanner()
        var random = Lcg(state: 7)
        for _ in 0..<50 {
            let header = random.header()
            plain.load(header: header)
            fast.load(header: header)
            let target = Target(difficulty: 1.0 / 4096)!
            #expect(plain.scan(from: 100, count: 50_000, target: target) == fast.scan(from: 100, count: 50_000, target: target))
        }
    }

    @Test func scannersFindTheRealGenesisNonces() {
        let bitcoin = Vectors.bytes(Vectors.list("sha256d_headers")[0]["header_hex"])
        let sha = SHA256dScanner()
        sha.load(header: bitcoin)
        let nonce = BlockHeader.field(bitcoin, at: 76)
        #expect(sha.scan(from: nonce - 1000, count: 2000, target: Target(difficulty: 1)!).nonce == nonce)

        let litecoin = Vectors.bytes(Vectors.list("scrypt_headers")[0]["header_hex"])
        let scrypt = ScryptScanner()
        scrypt.load(header: litecoin)
        let ltcNonce = BlockHeader.field(litecoin, at: 76)
        let ltcTarget = Target(difficulty: 0.000244140625, scale: 65536)!  // nbits 0x1e0ffff0
        #expect(scrypt.scan(from: ltcNonce - 3, count: 10, target: ltcTarget).nonce == ltcNonce)
    }
}
