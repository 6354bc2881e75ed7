import ProofOfWork
import TestFixtures
import Testing

@Suite(.timeLimit(.minutes(5))) struct HashKnownAnswerTests {
    @Test func sha256MatchesFIPSExamples() {
        #expect(Hex.encode(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.encode(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let twoBlocks = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(Hex.encode(SHA256.hash(twoBlocks)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func sha256dReproducesRealBlockHashes() {
        let vectors = Vectors.list("sha256d_headers")
        #expect(vectors.count == 2)
        for vector in vectors {
        let header = Vectors.bytes(vector["header_hex"])
        let hash = SHA256d().hash(header: header)
        #expect(Hex.encode(hash.reversed()) == vector["hash"] as? String)
        }
    }

    @Test func scryptReproducesRealLitecoinHeaders() {
        let vectors = Vectors.list("scrypt_headers")
        #expect(vectors.count == 3)
        for vector in vectors {
            let header = Vectors.bytes(vector["header_hex"])
            #expect(Hex.encode(Scrypt().hash(header: header).reversed()) == vector["scrypt_pow_hash"] as? String)
            #expect(Hex.encode(SHA256d().hash(header: header).reversed()) == vector["sha256d_block_id"] as? String)
        }
    }

    /// On a thread of its own (the N = 16384, r = 8 case hashes for seconds), off Swift's cooperative pool.
    @Test func scryptMatchesRFC7914() async throws {
        let cases = try #require(Vectors.rfc7914["scrypt"] as? [[String: Any]])
        struct Case: Sendable { var password, salt: [UInt8]; var n, r, p, dkLen: Int; var expected: String? }
        let wanted = cases.filter { ($0["N"] as! Int) * ($0["r"] as! Int) <= 16384 * 8 }  // the 1 GiB case is left to manual runs
            .map { Case(password: Array(($0["P"] as! String).utf8), salt: Array(($0["S"] as! String).utf8), n: $0["N"] as! Int,
                        r: $0["r"] as! Int, p: $0["p"] as! Int, dkLen: $0["dkLen"] as! Int, expected: $0["DK"] as? String) }
        let pairs = try await offThePool {
            wanted.map { (Hex.encode(Scrypt.derive(password: $0.password, salt: $0.salt, n: $0.n, r: $0.r, p: $0.p, dkLen: $0.dkLen)), $0.expected) }
        }
        for (got, expected) in pairs { #expect(got == expected) }
        #expect(pairs.count == 3)
    }

    @Test func pbkdf2MatchesRFC7914() throws {
        let cases = try #require(Vectors.rfc7914["pbkdf2_hmac_sha256"] as? [[String: Any]])
        for entry in cases {
            let out = HMACSHA256.pbkdf2(
                password: Array((entry["P"] as! String).utf8), salt: Array((entry["S"] as! String).utf8),
                iterations: entry["c"] as! Int, dkLen: entry["dkLen"] as! Int)
            #expect(Hex.encode(out) == entry["DK"] as? String)
        }
        #expect(cases.count == 2)
    }

    @Test func salsaBlockMixAndROMixMatchRFC7914() throws {
        func words(_ key: String, _ field: String) -> [UInt32] {
            let entry = Vectors.rfc7914[key] as! [String: Any]
            let bytes = Vectors.bytes(entry[field])
            return stride(from: 0, to: bytes.count, by: 4).map { (i: Int) -> UInt32 in
                UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
            }
        }
        #expect(Scrypt.salsa20_8(words("salsa20_8", "in")) == words("salsa20_8", "out"))
        #expect(Scrypt.blockMix(words("blockmix_r1", "in"), r: 1) == words("blockmix_r1", "out"))
        let romix = Vectors.rfc7914["romix_r1_N16"] as! [String: Any]
        #expect(Scrypt.roMix(Vectors.bytes(romix["in"]), n: 16, r: 1) == Vectors.bytes(romix["out"]))
    }

    @Test func registryFindsBuiltInsAndPlugIns() {
        let registry = AlgorithmRegistry.standard()
        #expect(registry.names == ["scrypt", "sha256d"])
        #expect(registry.algorithm(named: "SHA256D")?.name == "sha256d")
        #expect(registry.algorithm(named: "md5") == nil)
    }
}
