import ControlAPI
import Foundation
import MinerService
import NightMiner
import ProofOfWork
import Stratum
import TestFixtures
import TestPool
import Testing

/// The REST API on the live libmicrohttpd server, backed by the real service, miner and test pools.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ControlPlaneTests {
    static let token = "test-token-0123456789abcdef"

    /// The service as `serve` runs it (``NightMinerService``), with the API on 127.0.0.1:0 and a configuration
    /// file in a fresh folder.
    final class Daemon: Sendable {
        let running: NightMinerService
        let serving: Task<Void, Never>
        let configPath: String
        let auditPath: String
        var service: MiningService { running.mining }
        var server: HTTPServer { running.server }
        var port: Int { server.port }

        /// The address the API listens on.
        let host: String

        init(settings: ServiceSettings? = nil, readOnly: Bool = false, configPath: String? = nil, corsOrigins: [String] = [],
             host: String = "127.0.0.1") async throws {
            self.host = host
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nightminer-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            self.configPath = configPath ?? folder.appendingPathComponent("nightminer.json").path
            auditPath = folder.appendingPathComponent("audit.log").path
            var options = ServiceOptions(configPath: self.configPath)
            options.initialSettings = settings ?? ServiceSettings(threads: 2)
            options.apiHost = host
            options.apiPort = 0
            options.token = .given(ControlPlaneTests.token)
            options.readOnly = readOnly
            options.corsOrigins = corsOrigins
            options.auditPath = auditPath
            options.tune = { configuration in
                configuration.statusInterval = nil
                configuration.client.minimumReconnectDelay = .milliseconds(100)
                configuration.client.maximumReconnectDelay = .milliseconds(400)
                configuration.client.tickMilliseconds = 100
            }
            let running = try await NightMinerService.start(options)
            self.running = running
            serving = Task { await running.run() }
        }

        func call(_ method: String, _ path: String, json: String? = nil, token: String? = ControlPlaneTests.token,
                  contentType: String = "application/json", host: String? = nil,
                  headers extra: [String: String] = [:]) async throws -> HTTPTestClient.Response {
            let port = port
            var headers = extra
            if let host { headers["Host"] = host }
            if let token { headers["Authorization"] = "Bearer \(token)" }
            if json != nil { headers["Content-Type"] = contentType }
            let body = Array((json ?? "").utf8)
            let (sent, address) = (headers, self.host)
            return try await offThePool { try HTTPTestClient.send(port: port, method, path, headers: sent, body: body, host: address) }
        }

        func stop() async {
            running.shutdown()
            await serving.value
        }
    }

    /// A TLS pool with a pinned, self-signed certificate, set up through the API: the connection options
    /// are shown (never the password), saved, and used; options that make no sense are refused with a 422.
    @Test func aPoolsConnectionOptionsAreSetThroughTheAPI() async throws {
        let certificates = try await offThePool { try TestCertificates.make() }
        defer { certificates.remove() }
        let pin = try certificates.fingerprint(of: certificates.selfSigned.certificate)
        let pool = try await Harness.pool(SHA256d(), difficulty: 1.0 / 8192) {
            $0.tls = (certificates.selfSigned.certificate, certificates.selfSigned.key)
        }
        defer { pool.stop() }
        let daemon = try await Daemon()
        let url = pool.url.replacingOccurrences(of: "stratum+tcp://", with: "stratum+ssl://")
        let body = #"{"url":"\#(url)","user":"api","password":"pw","algorithm":"sha256d","tls_fingerprint":"\#(pin)","extranonce_subscribe":false,"suggest_difficulty":0.5}"#
        let created = try await daemon.call("POST", "/pools", json: body)
        #expect(created.status == 201, "\(created.text)")
        #expect(created.object["tls_fingerprint"] as? String == pin.uppercased() || (created.object["tls_fingerprint"] as? String)?.count == 95)
        #expect(created.object["extranonce_subscribe"] as? Bool == false && created.object["suggest_difficulty"] as? Double == 0.5)
        #expect(created.object["tls_insecure"] as? Bool == false && created.object["tls_ca"] is NSNull)
        let saved = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        #expect(saved.contains("tls_fingerprint") && saved.contains("suggest_difficulty"))

        #expect(try await daemon.call("POST", "/mining/start").status == 200)
        #expect(await Harness.waitUntil(seconds: 20) { pool.statistics.accepted >= 2 }, "mining over TLS with the pinned certificate")
        #expect(pool.statistics.rejected.isEmpty)
        #expect(try await daemon.call("POST", "/mining/stop").status == 200)

        expectProblem(try await daemon.call("PATCH", "/pools/1", json: #"{"tls_fingerprint":"abcd"}"#), 422, "64 hex digits")
        expectProblem(try await daemon.call("POST", "/pools", json: #"{"url":"stratum+tcp://127.0.0.1:1","user":"u","tls_insecure":true}"#),
                      422, "stratum+ssl://")
        expectProblem(try await daemon.call("PATCH", "/pools/1", json: #"{"suggest_difficulty":-1}"#), 422, "positive")
        expectProblem(try await daemon.call("PATCH", "/pools/1", json: #"{"suggest_difficulty":"high"}"#), 422, "number")
        let cleared = try await daemon.call("PATCH", "/pools/1", json: #"{"tls_fingerprint":"","tls_insecure":true}"#)
        #expect(cleared.status == 200 && cleared.object["tls_fingerprint"] is NSNull && cleared.object["tls_insecure"] as? Bool == true)
        await daemon.stop()
    }

    /// The dashboard at `/`: one page from the binary, using the public API only, with the live hashrate where
    /// tests and people look for it; and CORS only for the origins given.
    @Test func theDashboardIsServedAndCORSIsOnlyForGivenOrigins() async throws {
        let daemon = try await Daemon(corsOrigins: ["https://dash.example.com"])
        let page = try await daemon.call("GET", "/", token: nil)
        #expect(page.status == 200 && page.headers["content-type"] == "text/html; charset=utf-8")
        #expect(page.text.contains(#"data-metric="hashrate""#) && page.text.contains("new EventSource(\"/events\")"))
        #expect(page.headers["content-security-policy"]?.contains("connect-src 'self'") == true)
        for external in ["http://", "https://", "//cdn"] where page.text.contains("src=\"\(external)") || page.text.contains("href=\"\(external)") {
            Issue.record("the page loads \(external)…")
        }
        let allowed = ["Origin": "https://dash.example.com"]
        let preflight = try await daemon.call("OPTIONS", "/mining/start", token: nil,
                                              headers: allowed.merging(["Access-Control-Request-Method": "POST"]) { $1 })
        #expect(preflight.status == 204 && preflight.headers["access-control-allow-origin"] == "https://dash.example.com")
        #expect(preflight.headers["access-control-allow-headers"]?.contains("Authorization") == true)
        let read = try await daemon.call("GET", "/stats", token: nil, headers: allowed)
        #expect(read.status == 200 && read.headers["access-control-allow-origin"] == "https://dash.example.com")
        let other = ["Origin": "https://evil.example.net"]
        let refused = try await daemon.call("OPTIONS", "/mining/start", token: nil,
                                            headers: other.merging(["Access-Control-Request-Method": "POST"]) { $1 })
        #expect(refused.status == 403 && refused.headers["access-control-allow-origin"] == nil)
        #expect(try await daemon.call("GET", "/stats", token: nil, headers: other).headers["access-control-allow-origin"] == nil)
        let unauthenticated = try await daemon.call("POST", "/mining/stop", token: nil, headers: allowed)
        #expect(unauthenticated.status == 401, "CORS never replaces the token")
        await daemon.stop()
    }

    /// A problem document with `status` whose detail contains `fragment`.
    func expectProblem(_ response: HTTPTestClient.Response, _ status: Int, _ fragment: String,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == status, "expected \(status), got \(response.status): \(response.text)", sourceLocation: sourceLocation)
        #expect(response.headers["content-type"] == "application/problem+json", sourceLocation: sourceLocation)
        #expect(response.object["status"] as? Int == status, sourceLocation: sourceLocation)
        #expect((response.object["detail"] as? String ?? "").contains(fragment), "\(response.text)", sourceLocation: sourceLocation)
    }

    /// Start and stop are what the user asked, not one-shot calls: a burst of stop, start, stop while a run
    /// is still draining ends stopped, with no thread hashing, and shutdown then ends.
    @Test func aBurstOfStartsAndStopsEndsInTheStateAskedLast() async throws {
        let pool = try await Harness.pool(SHA256d(), difficulty: 1.0 / 8192)
        defer { pool.stop() }
        let settings = Harness.settings(mining: pool, user: "w", threads: 2)
        let daemon = try await Daemon(settings: settings)
        let service = daemon.service
        _ = try service.startMining()
        #expect(await Harness.waitUntil(seconds: 10) { pool.statistics.accepted >= 2 })
        for _ in 0..<25 {
            _ = service.stopMining()
            _ = try service.startMining()
            _ = service.stopMining()
        }
        let miner = try #require(service.miner)
        #expect(await Harness.waitUntil(seconds: 10) { !miner.isRunning })
        let hashes = miner.engine.hashrate.totalHashes
        try await Task.sleep(for: .milliseconds(500))
        #expect(miner.engine.hashrate.totalHashes == hashes, "threads still hash while stopped")
        #expect(!miner.isRunning && service.stats().state == "stopped")
        _ = try service.startMining()
        #expect(await Harness.waitUntil(seconds: 10) { service.stats().state == "mining" })
        await daemon.stop()
        #expect(!miner.isRunning)
    }

    @Test func everyEndpointWorksAndMiningStartsAndStops() async throws {
        let pool = try await Harness.pool(SHA256d(), difficulty: 1.0 / 8192)
        defer { pool.stop() }
        let daemon = try await Daemon()
        #expect(try await daemon.call("GET", "/livez").object["status"] as? String == "ok")
        let idle = try await daemon.call("GET", "/stats", token: nil)
        #expect(idle.status == 200 && idle.object["state"] as? String == "stopped")
        #expect(try await daemon.call("GET", "/readyz").status == 503)
        #expect(try await daemon.call("POST", "/mining/start").status == 409, "no pool yet")

        let created = try await daemon.call("POST", "/pools", json: #"{"url":"\#(pool.url)","user":"api","password":"hunter2","algorithm":"sha256d"}"#)
        #expect(created.status == 201)
        #expect(created.object["id"] as? Int == 1 && created.object["password_set"] as? Bool == true)
        #expect(!created.text.contains("hunter2"))
        let listed = try await daemon.call("GET", "/pools", token: nil)
        #expect((listed.json as? [[String: Any]])?.first?["active"] as? Bool == true)
        #expect((listed.json as? [[String: Any]])?.first?["state"] as? String == "standby", "not mining yet")
        #expect(!listed.text.contains("hunter2"))
        #expect(try await daemon.call("GET", "/pools/1").object["user"] as? String == "api")

        let started = try await daemon.call("POST", "/mining/start")
        #expect(started.status == 200 && ["mining", "connecting"].contains(started.object["state"] as? String))
        #expect(try await daemon.call("POST", "/mining/start").status == 200, "start is idempotent")
        #expect(await Harness.waitUntil { pool.statistics.accepted >= 3 })
        #expect(await Harness.waitUntilOffThePool(seconds: 10) {
            let stats = try? HTTPTestClient.send(port: daemon.port, "GET", "/stats").object
            return ((stats?["shares"] as? [String: Any])?["accepted"] as? Int ?? 0) >= 1
        })
        let stats = try await daemon.call("GET", "/stats")
        #expect(stats.object["state"] as? String == "mining")
        let shares = stats.object["shares"] as? [String: Any]
        #expect((shares?["accepted"] as? Int ?? 0) >= 1)
        #expect((stats.object["hashrate"] as? [String: Any])?["per_thread"] as? [Double] != nil)
        #expect((stats.object["pool"] as? [String: Any])?["connected"] as? Bool == true)
        #expect(!stats.text.contains("hunter2"))
        let mining = try await daemon.call("GET", "/pools", token: nil).json as? [[String: Any]]
        #expect(mining?.first?["state"] as? String == "active" && mining?.first?["failures"] as? Int == 0)
        #expect(mining?.first?.keys.contains("last_error") == true)
        #expect(await Harness.waitUntilOffThePool(seconds: 15) {
            (try? HTTPTestClient.send(port: daemon.port, "GET", "/readyz").status) == 200
        })

        let stopped = try await daemon.call("POST", "/mining/stop")
        #expect(stopped.status == 200 && stopped.object["state"] as? String == "stopped")
        #expect(try await daemon.call("POST", "/mining/stop").object["state"] as? String == "stopped")
        #expect(await Harness.waitUntil(seconds: 10) { daemon.service.miner?.isRunning == false })
        #expect(pool.statistics.rejected.isEmpty)
        // Per pool, the counts are the pool's own, in /pools and in /stats.
        let counted = try await daemon.call("GET", "/pools", token: nil).json as? [[String: Any]]
        #expect(counted?.first?["accepted"] as? Int == pool.statistics.accepted, "\(String(describing: counted))")
        #expect(counted?.first?["rejected"] as? Int == 0 && counted?.first?["state"] as? String == "standby")
        let perPool = try await daemon.call("GET", "/stats").object["pools"] as? [[String: Any]]
        #expect(perPool?.count == 1 && perPool?.first?["accepted"] as? Int == pool.statistics.accepted)

        let openapi = try await daemon.call("GET", "/openapi.yaml")
        let file = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("openapi.yaml").path, encoding: .utf8)
        #expect(openapi.status == 200 && openapi.text == file, "the served contract differs from openapi.yaml: run scripts/embed-openapi")

        let config = try await daemon.call("PATCH", "/config", json: #"{"threads":1,"log_level":"debug"}"#)
        #expect(config.status == 200 && config.object["threads"] as? Int == 1 && config.object["log_level"] as? String == "debug")
        #expect(try await daemon.call("GET", "/config").object["threads"] as? Int == 1)
        #expect(try await daemon.call("DELETE", "/pools/1").status == 204)
        #expect(try await daemon.call("GET", "/pools/1").status == 404)
        await daemon.stop()
    }

    @Test func stateChangesNeedTheTokenAndReadOnlyRefusesThem() async throws {
        var daemon = try await Daemon()
        var failures = 0
        let writes: [(String, String, String?)] = [
            ("POST", "/mining/start", nil), ("POST", "/mining/stop", nil), ("POST", "/pools", #"{"url":"stratum+tcp://127.0.0.1:1","user":"u"}"#),
            ("PATCH", "/pools/1", #"{"user":"v"}"#), ("DELETE", "/pools/1", nil), ("POST", "/pools/1/activate", nil),
            ("PATCH", "/config", #"{"threads":1}"#),
        ]
        for (method, path, body) in writes {
            if failures == 10 {  // an address gets 429 after 10 bad tokens a minute: a fresh server goes on
                await daemon.stop()
                daemon = try await Daemon()
                failures = 0
            }
            failures += 2
            let missing = try await daemon.call(method, path, json: body, token: nil)
            #expect(missing.status == 401, "\(method) \(path) without a token: \(missing.status)")
            #expect(missing.headers["content-type"] == "application/problem+json")
            let wrong = try await daemon.call(method, path, json: body, token: "not-the-token-at-all")
            #expect(wrong.status == 401, "\(method) \(path) with a wrong token: \(wrong.status)")
        }
        #expect(try await daemon.call("GET", "/pools", token: nil).status == 200)
        #expect(try await daemon.call("GET", "/config", token: nil).status == 200)
        await daemon.stop()

        let readOnly = try await Daemon(readOnly: true)
        for (method, path, body) in writes {
            #expect(try await readOnly.call(method, path, json: body).status == 403, "\(method) \(path) read-only")
        }
        #expect(try await readOnly.call("GET", "/stats").status == 200)
        await readOnly.stop()
    }

    /// A write without a valid token is 401 whatever its path; more than 10 bad tokens a minute from one
    /// address get 429 with Retry-After, but the right token is never throttled (bad tokens from the same
    /// address, say a web page's blind requests, must not lock the operator out); every write is audited
    /// (0600, no secret); a Host that is not a loopback name gets 403 (DNS rebinding).
    @Test func tokenGuessingIsSlowedEveryWriteIsAuditedAndForeignHostsAreRefused() async throws {
        let daemon = try await Daemon()
        #expect(try await daemon.call("POST", "/no/such/thing", token: nil).status == 401)
        // A method no route takes is refused (405, the resource's methods in Allow) and not audited.
        let brew = try await daemon.call("BREW", "/mining/stop", token: nil)
        #expect(brew.status == 405 && brew.headers["allow"] == "POST", "\(brew.status) \(brew.headers)")
        #expect(try await daemon.call("PUT", "/config", token: nil).status == 405)
        #expect(try await daemon.call("DELETE", "/stats", token: "wrong-token-guess-000").status == 401)
        for attempt in 0..<8 {
            let response = try await daemon.call("POST", "/mining/stop", token: "wrong-token-guess-\(attempt)")
            #expect(response.status == 401, "attempt \(attempt): \(response.status)")
        }
        let limited = try await daemon.call("POST", "/mining/stop", token: "wrong-token-guess-x")
        #expect(limited.status == 429 && limited.headers["content-type"] == "application/problem+json")
        let retry = try #require(limited.headers["retry-after"].flatMap { Int($0) })
        #expect((1...60).contains(retry))
        #expect(try await daemon.call("POST", "/mining/stop").status == 200, "the right token is never throttled")
        #expect(try await daemon.call("POST", "/mining/stop", token: "wrong-token-guess-y").status == 429, "bad ones still are")
        #expect(try await daemon.call("GET", "/stats", token: nil).status == 200, "reads go on")

        let attributes = try FileManager.default.attributesOfItem(atPath: daemon.auditPath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let lines = try String(contentsOfFile: daemon.auditPath, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 13, "\(lines.count) audit lines")
        let entries = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(entries.count == lines.count)
        #expect(entries.allSatisfy { $0["client"] as? String == "127.0.0.1" && $0["time"] is String && $0["method"] is String })
        #expect(entries.map { $0["status"] as? Int } == [401] + Array(repeating: 401, count: 9) + [429, 200, 429])
        let text = try String(contentsOfFile: daemon.auditPath, encoding: .utf8)
        #expect(!text.contains("wrong-token-guess") && !text.contains(Self.token))

        let foreign = try await daemon.call("GET", "/stats", token: nil, host: "evil.example:\(daemon.port)")
        #expect(foreign.status == 403 && foreign.text.contains("not allowed"), "\(foreign.status) \(foreign.text)")
        #expect(try await daemon.call("GET", "/stats", token: nil, host: "localhost:\(daemon.port)").status == 200)
        #expect(try await daemon.call("GET", "/stats", token: nil, host: "[::1]:\(daemon.port)").status == 200)
        await daemon.stop()
    }

    /// Bound to another loopback address (127.0.0.2), the API answers to its own URL; HEAD works on every
    /// read (the GET answer's headers, no body) and is refused where GET is.
    @Test func headWorksOnEveryReadAndTheBoundAddressIsAnAllowedHost() async throws {
        let daemon = try await Daemon(host: "127.0.0.2")
        #expect(try await daemon.call("GET", "/stats", token: nil).status == 200, "Host 127.0.0.2:\(daemon.port)")
        for path in ["/", "/stats", "/pools", "/config", "/metrics", "/livez", "/openapi.yaml", "/events"] {
            let head = try await daemon.call("HEAD", path, token: nil)
            #expect(head.status == 200 && head.body.isEmpty, "HEAD \(path): \(head.status), \(head.body.count) bytes")
            #expect(head.headers["content-type"] != nil, "HEAD \(path)")
        }
        let refused = try await daemon.call("HEAD", "/mining/start", token: nil)
        #expect(refused.status == 405 && refused.headers["allow"] == "POST", "\(refused.status) \(refused.headers)")
        await daemon.stop()
    }

    @Test func everyErrorStatusHasAProblemDocument() async throws {
        let daemon = try await Daemon()
        expectProblem(try await daemon.call("POST", "/pools", json: "{not json"), 400, "not valid JSON")
        expectProblem(try await daemon.call("POST", "/pools", json: "[1,2]"), 400, "JSON object")
        expectProblem(try await daemon.call("GET", "/nothing"), 404, "/nothing")
        expectProblem(try await daemon.call("GET", "/pools/99"), 404, "99")
        let notAllowed = try await daemon.call("DELETE", "/stats")
        expectProblem(notAllowed, 405, "DELETE")
        #expect(notAllowed.headers["allow"] == "GET, HEAD")
        expectProblem(try await daemon.call("POST", "/mining/start"), 409, "no pool")
        expectProblem(try await daemon.call("POST", "/pools", json: "{\"user\":\"" + String(repeating: "a", count: 100_000) + "\"}"), 413, "larger")
        expectProblem(try await daemon.call("POST", "/pools", json: #"{"url":"x"}"#, contentType: "text/plain"), 415, "application/json")
        expectProblem(try await daemon.call("POST", "/pools", json: #"{"url":"http://pool:1","user":"u"}"#), 422, "scheme")
        expectProblem(try await daemon.call("POST", "/pools", json: #"{"url":"stratum+tcp://pool:1","user":"u","algorithm":"x11"}"#), 422, "x11")
        expectProblem(try await daemon.call("POST", "/pools", json: #"{"user":"u"}"#), 422, "url")
        expectProblem(try await daemon.call("POST", "/pools", json: #"{"url":"stratum+tcp://pool:1","user":"u","colour":"red"}"#), 422, "colour")
        expectProblem(try await daemon.call("PATCH", "/config", json: #"{"threads":0}"#), 422, "threads")
        expectProblem(try await daemon.call("PATCH", "/config", json: #"{"threads":"two"}"#), 422, "integer")
        expectProblem(try await daemon.call("PATCH", "/config", json: #"{"log_level":"loud"}"#), 422, "log_level")
        // Nothing invalid was saved.
        let saved = try ConfigStore(path: daemon.configPath).load()
        #expect(saved.pools.isEmpty && saved.threads == 2)
        await daemon.stop()
    }

    @Test func switchingPoolAndAlgorithmWhileMiningReconnects() async throws {
        let first = try await Harness.pool(SHA256d(), difficulty: 1.0 / 8192)
        let second = try await Harness.pool(SHA256d(), difficulty: 1.0 / 8192)
        let scrypt = try await Harness.pool(Scrypt(), difficulty: 0.02)
        defer { first.stop(); second.stop(); scrypt.stop() }
        let daemon = try await Daemon()
        _ = try await daemon.call("POST", "/pools", json: #"{"url":"\#(first.url)","user":"a","algorithm":"sha256d","priority":1}"#)
        _ = try await daemon.call("POST", "/pools", json: #"{"url":"\#(second.url)","user":"b","algorithm":"sha256d","priority":2}"#)
        _ = try await daemon.call("POST", "/pools", json: #"{"url":"\#(scrypt.url)","user":"c","algorithm":"scrypt","priority":3}"#)
        #expect(try await daemon.call("POST", "/mining/start").status == 200)
        #expect(await Harness.waitUntil { first.statistics.accepted >= 2 })

        let activated = try await daemon.call("POST", "/pools/2/activate")
        #expect(activated.status == 200 && activated.object["active"] as? Bool == true)
        #expect(await Harness.waitUntil { second.statistics.accepted >= 2 }, "no shares reached the second pool")

        _ = try await daemon.call("POST", "/pools/3/activate")
        #expect(await Harness.waitUntil { scrypt.statistics.accepted >= 2 }, "no scrypt shares after the algorithm switch")
        let stats = try await daemon.call("GET", "/stats")
        #expect(stats.object["algorithm"] as? String == "scrypt" && stats.object["kernel"] as? String == Scrypt().kernelName)

        // Credentials of the active pool change: the miner reconnects as the new worker.
        #expect(try await daemon.call("PATCH", "/pools/3", json: #"{"user":"renamed"}"#).status == 200)
        #expect(await Harness.waitUntilOffThePool(seconds: 10) {
            ((try? HTTPTestClient.send(port: daemon.port, "GET", "/stats").object["pool"]) as? [String: Any])?["user"] as? String == "renamed"
        })
        #expect(try await daemon.call("DELETE", "/pools/3").status == 409, "the active pool cannot be removed while mining")
        _ = try await daemon.call("POST", "/mining/stop")
        await daemon.stop()
        for pool in [first, second, scrypt] { #expect(pool.statistics.rejected.isEmpty, "\(pool.url): \(pool.statistics.rejected)") }
        #expect(daemon.service.miner?.engine.ledger.snapshot.accepted ?? 0 >= 6, "statistics survive reconfiguration")
    }

    @Test func changesSurviveARestartAndACorruptFileIsNeverOverwritten() async throws {
        let daemon = try await Daemon()
        _ = try await daemon.call("POST", "/pools", json: #"{"url":"stratum+tcp://127.0.0.1:3333","user":"keep","password":"pw"}"#)
        _ = try await daemon.call("PATCH", "/config", json: #"{"threads":1,"algorithm":"sha256d","autostart":false}"#)
        await daemon.stop()
        let attributes = try FileManager.default.attributesOfItem(atPath: daemon.configPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        let restarted = try await Daemon(configPath: daemon.configPath)
        let pools = try await restarted.call("GET", "/pools")
        #expect((pools.json as? [[String: Any]])?.first?["user"] as? String == "keep")
        let config = try await restarted.call("GET", "/config")
        #expect(config.object["threads"] as? Int == 1 && config.object["algorithm"] as? String == "sha256d")
        #expect(config.object["autostart"] as? Bool == false)
        await restarted.stop()

        let corrupt = "{\"version\": 1, \"threads\": 2, \"pools\": [ {\"id\": 1"
        try corrupt.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        #expect {
            try ConfigStore(path: daemon.configPath).load()
        } throws: { error in
            "\(error)".contains(daemon.configPath) && "\(error)".contains("not valid JSON")
        }
        #expect(try String(contentsOfFile: daemon.configPath, encoding: .utf8) == corrupt)
        let folder = (daemon.configPath as NSString).deletingLastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".tmp") }.isEmpty)
    }
}
