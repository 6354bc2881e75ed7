import ProofOfWork
import TestFixtures
import Testing

/// Fast scanners against the reference hash: the scanner must stop exactly where the reference says.
@Suite(.timeLimit(.minutes(5))) struct ScannerTests {
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

    /// `algorithm`'s scanner against its reference hash on `headers` random headers: the problems found.
    static func checkAgainstReference(_ algorithm: any ProofOfWork, headers: Int, width: UInt32, starts: [UInt32]) -> [String] {
        var problems = [String]()
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
            let name = "\(algorithm.kernelName) width \(width) start \(start)"
            if !(hit.hashesDone == best!.nonce - start + 1 && hit.nonce == best!.nonce) { problems.append("\(name): stopped at \(hit)") }
            if hit.hash != best!.hash { problems.append("\(name): reported a hash other than the found nonce's") }
            if let below = Self.justBelow(best!.hash), scanner.scan(from: start, count: width, target: below) != ScanResult(hashesDone: count, nonce: nil) {
                problems.append("\(name): found a nonce below the best hash")
            }
        }
        return problems
    }

    /// `algorithm`'s kernel finds the same first nonce meeting `target` as the portable scanner `plain`, over
    /// `count` nonces from a random start, on `headers` random headers.
    static func checkAgainstPortable(_ algorithm: any ProofOfWork, _ plain: any NonceScanner, seed: UInt64, headers: Int, count: UInt32,
                                     target: Target) -> [String] {
        var problems = [String]()
        var random = Lcg(state: seed)
        let fast = algorithm.makeScanner()
        for _ in 0..<headers {
            let header = random.header()
            plain.load(header: header)
            fast.load(header: header)
            let start = UInt32(truncatingIfNeeded: random.next() >> 40)
            let (got, wanted) = (fast.scan(from: start, count: count, target: target), plain.scan(from: start, count: count, target: target))
            if got != wanted { problems.append("\(algorithm.kernelName) from \(start): \(got), the portable scanner \(wanted)") }
        }
        return problems
    }

    // The checks below hash for seconds: they run on a thread of their own (offThePool), not on Swift's
    // cooperative pool, whose few threads the other tests' clients and servers need meanwhile.

    @Test func sha256dScannerMatchesReference() async throws {
        let problems = try await offThePool { Self.checkAgainstReference(SHA256d(), headers: 200, width: 37, starts: [0, 0xFFFF_FFF0, 12345, 0xFFFF_FFFF]) }
        #expect(problems.isEmpty, "\(problems.prefix(5))")
    }

    /// Every SHA256d kernel this CPU can run, against the reference, across lane-count and chunk edges.
    @Test func everySHA256dKernelMatchesTheReference() async throws {
        let available = SHA256d.variants.filter(\.isAvailable)
        #expect(available.contains { $0.name == "sha256d-scalar" })
        let problems = try await offThePool {
            var problems = [String]()
            for variant in available {
                let algorithm = try SHA256d(kernel: variant.name)
                if algorithm.kernelName != variant.name { problems.append("\(variant.name) built \(algorithm.kernelName)") }
                // Lane counts: 8 and 16 for the vector kernels, 2 and 6 nonces in flight for SHA-NI.
                for width: UInt32 in [1, 5, 6, 7, 8, 9, 11, 12, 13, 15, 16, 17, 31, 33] {
                    problems += Self.checkAgainstReference(algorithm, headers: 40, width: width, starts: [0, 0xFFFF_FFF8, 0xFFFF_FFFF, 1000, 0xFFFF_FFC0 &+ width])
                }
                // Across the kernels' 4096-nonce chunks: the first nonce meeting a realistic target.
                problems += Self.checkAgainstPortable(algorithm, SHA256dScanner(), seed: 99, headers: 20, count: 60_000, target: Target(difficulty: 1.0 / 8192)!)
                if !SHA256d.selfTest(variant) { problems.append("\(variant.name) fails its self-test") }
            }
            return problems
        }
        #expect(problems.isEmpty, "\(problems.prefix(5))")
    }

    /// Every scrypt kernel this CPU can run, against the reference, across lane-count edges (8, 16, and the
    /// interleaved kernels' 16 and 32) and batch ends.
    @Test func everyScryptKernelMatchesTheReference() async throws {
        let available = Scrypt.variants.filter(\.isAvailable)
        #expect(available.contains { $0.name == "scrypt-scalar" })
        let problems = try await offThePool {
            var problems = [String]()
            for variant in available {
                let algorithm = try Scrypt(kernel: variant.name)
                if algorithm.kernelName != variant.name { problems.append("\(variant.name) built \(algorithm.kernelName)") }
                for width: UInt32 in [1, 7, 9, 15, 16, 17, 31, 32, 33] {
                    problems += Self.checkAgainstReference(algorithm, headers: 3, width: width, starts: [0, 0xFFFF_FFF8, 0xFFFF_FFFF, 500])
                }
                // A realistic target over many batches (about one hash in 256 meets it): the same first share.
                problems += Self.checkAgainstPortable(algorithm, ScryptScanner(), seed: 77, headers: 2, count: 700, target: Target(difficulty: 1.0 / 16_777_216)!)
                if !Scrypt.selfTest(variant) { problems.append("\(variant.name) fails its self-test") }
            }
            return problems
        }
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        #expect(throws: KernelSelectionError.self) { try Scrypt(kernel: "scrypt-gpu") }
    }

    @Test func kernelSelectionRefusesUnknownNames() {
        #expect(throws: KernelSelectionError.self) { try SHA256d(kernel: "sha256d-quantum") }
        // The automatic choice is a kernel this CPU runs, and a vector one whenever one is available.
        for (chosen, variants) in [(SHA256d().kernelName, SHA256d.variants), (Scrypt().kernelName, Scrypt.variants)] {
            let available = variants.filter(\.isAvailable).map(\.name)
            #expect(available.contains(chosen))
            if available.count > 1 { #expect(chosen != variants.last!.name) }
        }
    }

    @Test func scryptScannerMatchesReference() async throws {
        let problems = try await offThePool { Self.checkAgainstReference(Scrypt(), headers: 12, width: 9, starts: [0, 0xFFFF_FFFC, 777]) }
        #expect(problems.isEmpty, "\(problems.prefix(5))")
    }

    @Test func referenceScannerMatchesReference() async throws {
        let mismatches = try await offThePool {
            let plain = ReferenceScanner(algorithm: SHA256d())
            let fast = SHA256dScanner()
            var random = Lcg(state: 7)
            var mismatches = 0
            for _ in 0..<50 {
                let header = random.header()
                plain.load(header: header)
                fast.load(header: header)
                let target = Target(difficulty: 1.0 / 4096)!
                if plain.scan(from: 100, count: 50_000, target: target) != fast.scan(from: 100, count: 50_000, target: target) { mismatches += 1 }
            }
            return mismatches
        }
        #expect(mismatches == 0)
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
