import NightMiner
import ProofOfWork
import Stratum
import TestFixtures
import TestPool
import Testing

/// The miner against the embedded pool over TLS: a private CA, an untrusted certificate, a pinned one and
/// a wrong pin. Nothing, credentials included, is sent before the certificate has been verified.
@Suite(.serialized, .timeLimit(.minutes(5))) struct TLSTests {
    /// A test pool serving `certificate` and a miner for it with `tls`; runs `check` while both run.
    func mine(certificate: (certificate: String, key: String), tls: PoolTLS,
              _ check: (TestPoolServer, Miner) async throws -> Void) async throws {
        let pool = try await Harness.pool(SHA256d(), difficulty: 1.0 / 8192) { $0.tls = (certificate.certificate, certificate.key) }
        defer { pool.stop() }
        var configuration = try Harness.configuration(for: pool, algorithm: "sha256d", threads: 1)
        #expect(configuration.pools[0].tls == PoolTLS(), "stratum+ssl:// verifies by default")
        configuration.pools[0].tls = tls
        let miner = try Miner(configuration: configuration)
        let run = Harness.start(miner)
        try await check(pool, miner)
        miner.stop()
        #expect(await run.value == nil)
    }

    @Test func aPoolCertifiedByAPrivateCAIsTrustedWithTLSCA() async throws {
        let certificates = try await offThePool { try TestCertificates.make() }
        defer { certificates.remove() }
        try await mine(certificate: certificates.signed, tls: PoolTLS(caFile: certificates.caCertificate)) { pool, miner in
            #expect(await Harness.waitUntil { pool.statistics.accepted >= 2 })
            #expect(pool.statistics.rejected.isEmpty)
        }
    }

    @Test func anUntrustedCertificateIsRefusedBeforeAnythingIsSent() async throws {
        let certificates = try await offThePool { try TestCertificates.make() }
        defer { certificates.remove() }
        try await mine(certificate: certificates.selfSigned, tls: PoolTLS()) { pool, miner in
            #expect(await Harness.waitUntil(seconds: 10) { miner.snapshot.pool.lastError?.contains("certificate not trusted") == true },
                    "\(miner.snapshot.pool.lastError ?? "no error")")
            #expect(await Harness.waitUntil(seconds: 10) { pool.statistics.connections >= 2 }, "the miner keeps retrying")
            #expect(pool.statistics.lines == 0, "a line reached the pool before the certificate was verified")
        }
    }

    @Test func aPinnedSelfSignedCertificateIsAcceptedAndAWrongPinIsNot() async throws {
        let certificates = try await offThePool { try TestCertificates.make() }
        defer { certificates.remove() }
        let pin = try PoolTLS.parseFingerprint(try certificates.fingerprint(of: certificates.selfSigned.certificate))
        try await mine(certificate: certificates.selfSigned, tls: PoolTLS(fingerprint: pin)) { pool, _ in
            #expect(await Harness.waitUntil { pool.statistics.accepted >= 2 })
        }
        let other = try PoolTLS.parseFingerprint(try certificates.fingerprint(of: certificates.signed.certificate))
        try await mine(certificate: certificates.selfSigned, tls: PoolTLS(fingerprint: other)) { pool, miner in
            #expect(await Harness.waitUntil(seconds: 10) { miner.snapshot.pool.lastError?.contains("fingerprint mismatch") == true },
                    "\(miner.snapshot.pool.lastError ?? "no error")")
            #expect(pool.statistics.lines == 0)
        }
    }

    /// A pin is the whole check: the certificate need not name the host (the old client still required it).
    @Test func aPinnedCertificateForAnotherNameIsAccepted() async throws {
        let certificates = try await offThePool { try TestCertificates.make() }
        defer { certificates.remove() }
        let pin = try PoolTLS.parseFingerprint(try certificates.fingerprint(of: certificates.otherName.certificate))
        try await mine(certificate: certificates.otherName, tls: PoolTLS(fingerprint: pin)) { pool, miner in
            #expect(await Harness.waitUntil { pool.statistics.accepted >= 2 }, "\(miner.snapshot.pool.lastError ?? "no error")")
        }
    }

    /// `insecure` never overrides a pin (the old client skipped the pin check when both were set).
    @Test func aPinWinsOverInsecure() async throws {
        let certificates = try await offThePool { try TestCertificates.make() }
        defer { certificates.remove() }
        let other = try PoolTLS.parseFingerprint(try certificates.fingerprint(of: certificates.signed.certificate))
        try await mine(certificate: certificates.selfSigned, tls: PoolTLS(fingerprint: other, insecure: true)) { pool, miner in
            #expect(await Harness.waitUntil(seconds: 10) { miner.snapshot.pool.lastError?.contains("fingerprint mismatch") == true },
                    "\(miner.snapshot.pool.lastError ?? "no error")")
            #expect(pool.statistics.lines == 0)
        }
    }

    /// The context (which reads CA files) is built once per pool setting, not at every connection.
    @Test func theTLSContextIsBuiltOncePerPool() async throws {
        let certificates = try await offThePool { try TestCertificates.make() }
        defer { certificates.remove() }
        let pool = try await Harness.pool(SHA256d(), difficulty: 1.0 / 8192) {
            $0.tls = (certificates.signed.certificate, certificates.signed.key)
            $0.faults = [.drop]
        }
        defer { pool.stop() }
        var configuration = try Harness.configuration(for: pool, algorithm: "sha256d", threads: 1)
        configuration.pools[0].tls = PoolTLS(caFile: certificates.caCertificate)
        configuration.client.minimumReconnectDelay = .milliseconds(100)
        let before = StratumClient.tlsContextsBuilt
        let miner = try Miner(configuration: configuration)
        let run = Harness.start(miner)
        #expect(await Harness.waitUntil(seconds: 20) { pool.statistics.connections >= 3 }, "\(pool.statistics)")
        miner.stop()
        #expect(await run.value == nil)
        #expect(StratumClient.tlsContextsBuilt - before == 1, "\(StratumClient.tlsContextsBuilt - before) contexts for \(pool.statistics.connections) connections")
    }

    @Test func fingerprintsAreReadWithOrWithoutColons() throws {
        let plain = String(repeating: "ab", count: 32)
        let colons = (0..<32).map { _ in "AB" }.joined(separator: ":")
        #expect(try PoolTLS.parseFingerprint(plain) == PoolTLS.parseFingerprint(colons))
        #expect(throws: StratumError.self) { try PoolTLS.parseFingerprint("abcd") }
        #expect(throws: StratumError.self) { try PoolTLS.parseFingerprint(String(repeating: "zz", count: 32)) }
    }
}
