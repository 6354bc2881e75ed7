import Foundation
import ProofOfWork
import Stratum
import TestFixtures
import TestPool
import Testing

/// The `nightminer` executable as a user runs it: a real process, its exit code and its output.
@Suite(.serialized, .timeLimit(.minutes(5))) struct CommandLineTests {
    /// The executable built beside the test bundle.
    static var binary: URL {
        let directory = Bundle.main.bundleURL.deletingLastPathComponent()
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("nightminer")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return URL(fileURLWithPath: ".build/release/nightminer")
    }

    struct Outcome: Sendable {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs the executable off the cooperative pool; see ``runBlocking(_:interruptAfter:)``.
    static func run(_ arguments: [String], interruptAfter: Double? = nil, with stopSignal: Int32 = SIGINT,
                    environment: [String: String] = [:]) async throws -> Outcome {
        try await offThePool { try runBlocking(arguments, interruptAfter: interruptAfter, with: stopSignal, environment: environment) }
    }

    /// Runs the executable; sends `stopSignal` after `interruptAfter` seconds if given; kills it after 60 s.
    static func runBlocking(_ arguments: [String], interruptAfter: Double? = nil, with stopSignal: Int32 = SIGINT,
                            environment: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = OutputCollector(out.fileHandleForReading)
        let errData = OutputCollector(err.fileHandleForReading)
        let deadline = Date().addingTimeInterval(60)
        if let interruptAfter {
            Thread.sleep(forTimeInterval: interruptAfter)
            if process.isRunning { kill(process.processIdentifier, stopSignal) }
        }
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: outData.text, errors: errData.text)
    }

    /// Reads a pipe to the end on its own thread, so a chatty child never blocks.
    final class OutputCollector: @unchecked Sendable {
        private var data = Data()
        private let lock = NSLock()
        private let done = DispatchSemaphore(value: 0)

        init(_ handle: FileHandle) {
            Thread.detachNewThread { [self] in
                let all = handle.readDataToEndOfFile()
                lock.withLock { data = all }
                done.signal()
            }
        }

        var text: String {
            done.wait()
            return lock.withLock { String(decoding: data, as: UTF8.self) }
        }
    }

    @Test func badFlagsExitWithUsageCode64() async throws {
        for arguments in [["--bogus"], [], ["-o", "http://pool:1", "-u", "w"], ["-o", "stratum+tcp://127.0.0.1:1"],
                          ["-o", "stratum+tcp://127.0.0.1:1", "-u", "w", "-a", "x11"],
                          ["-o", "stratum+tcp://127.0.0.1:1", "-u", "w", "-t", "0"], ["-O", "nocolon", "-o", "stratum+tcp://h:1"],
                          ["-o", "stratum+tcp://h:1", "-o", "stratum+tcp://h:2", "-u", "a", "-u", "b", "-u", "c"],
                          ["-o", "stratum+tcp://h:1", "-u", "w", "--tls-ca", "/ca.pem"],
                          ["-o", "stratum+ssl://h:1", "-u", "w", "--tls-fingerprint", "abcd"],
                          ["-o", "stratum+tcp://h:1", "-u", "w", "--suggest-diff", "-1"],
                          ["-o", "stratum+tcp://h:1", "-o", "stratum+tcp://h:2", "-o", "stratum+tcp://h:3", "-u", "w", "-a", "sha256d", "-a", "scrypt"],
                          ["-o", "stratum+tcp://h:1", "-o", "stratum+tcp://h:2", "-u", "w", "-a", "sha256d", "-a", "scrypt", "--kernel", "md5-x"],
                          ["testpool", "--tls-cert", "/x.pem"],
                          ["verify-share", "--notify", "[]"], ["demo", "--threads", "-3"]] {
            let outcome = try await Self.run(arguments)
            #expect(outcome.status == 64, "\(arguments) exited \(outcome.status)")
            #expect(outcome.errors.contains("Error:"), "\(arguments): \(outcome.errors)")
            #expect(!outcome.errors.contains("Fatal error"))
        }
    }

    @Test func versionAndHelp() async throws {
        let version = try await Self.run(["-v"])
        #expect(version.status == 0 && version.output.hasPrefix("nightminer "))
        // `nightminer --help` lists the original's flags, as its help did, then the other commands.
        for arguments in [["--help"], ["-h"], ["mine", "--help"]] {
            let help = try await Self.run(arguments)
            for flag in ["-o, --url", "-u, --user", "-p, --pass", "-O, --userpass", "-a, --algo", "-B, --background", "-q, --quiet",
                         "-P, --dump-protocol", "-d, --debug", "-v, --version", "-h, --help", "-t, --threads"] {
                #expect(help.output.contains(flag), "\(arguments) help lacks \(flag)")
            }
            #expect(arguments.count == 2 || help.output.contains("serve"), "\(arguments) help lacks the commands")
        }
        let serve = try await Self.run(["serve", "--help"])
        for flag in ["-o, --url", "-u, --user", "-a, --algo", "-t, --threads", "--kernel", "--pid-file", "--log-file", "--log-format"] {
            #expect(serve.output.contains(flag), "serve help lacks \(flag)")
        }
    }

    @Test func verifyShareReproducesARealPoolShare() async throws {
        let vector = Vectors.list("stratum_shares")[0]
        let notify = vector["notify"] as! [String: Any]
        let params = "[\"job\",\"\(notify["prevhash"]!)\",\"\(notify["coinb1"]!)\",\"\(notify["coinb2"]!)\",[\((notify["merkle_branch"] as! [String]).map { "\"\($0)\"" }.joined(separator: ","))],\"\(notify["version"]!)\",\"\(notify["nbits"]!)\",\"\(notify["ntime"]!)\",true]"
        let submit = vector["submit"] as! [String: Any]
        let outcome = try await Self.run(["verify-share", "--algo", "sha256d", "--notify", params, "--extranonce1", vector["extranonce1"] as! String,
                                    "--extranonce2", submit["extranonce2"] as! String, "--ntime", submit["ntime"] as! String,
                                    "--nonce", submit["nonce"] as! String, "--difficulty", "683", "--json"])
        #expect(outcome.status == 0, "\(outcome.errors)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: Any])
        #expect(json["header"] as? String == vector["header_hex"] as? String)
        #expect(json["hash"] as? String == vector["hash_display"] as? String)
        #expect(json["merkle_root"] as? String == vector["merkle_root_internal_bytes"] as? String)
        #expect(json["meets_target"] as? Bool == true)
        #expect(abs((json["share_difficulty"] as? Double ?? 0) - (vector["share_difficulty"] as! Double)) < 1e-6)
    }

    /// Bitcoin's genesis block as a stratum job: its real coinbase transaction split around an 8-byte
    /// extranonce, no merkle branch (the block has one transaction).
    @Test func verifyShareReproducesTheBitcoinGenesisBlock() async throws {
        let coinbase = "01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000"
        let split = coinbase.index(coinbase.startIndex, offsetBy: 100)
        let extranonceEnd = coinbase.index(split, offsetBy: 16)
        let genesis = Vectors.list("sha256d_headers")[0]
        let notify = "[\"genesis\",\"\(String(repeating: "0", count: 64))\",\"\(coinbase[..<split])\",\"\(coinbase[extranonceEnd...])\",[],\"00000001\",\"1d00ffff\",\"495fab29\",true]"
        let outcome = try await Self.run(["verify-share", "--algo", "sha256d", "--notify", notify,
                                          "--extranonce1", String(coinbase[split..<coinbase.index(split, offsetBy: 8)]),
                                          "--extranonce2", String(coinbase[coinbase.index(split, offsetBy: 8)..<extranonceEnd]),
                                          "--ntime", "495fab29", "--nonce", "7c2bac1d", "--json"])
        #expect(outcome.status == 0, "\(outcome.errors)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: Any])
        #expect(json["coinbase_hash"] as? String == "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b")
        #expect(json["header"] as? String == genesis["header_hex"] as? String)
        #expect(json["hash"] as? String == genesis["hash"] as? String)
        #expect(json["meets_target"] as? Bool == true)
    }

    func mineWithTheCLI(_ algorithm: any ProofOfWork, difficulty: Double) async throws {
        var configuration = TestPoolConfiguration(algorithm: algorithm, difficulty: difficulty)
        configuration.credentials = ["cli": "secret"]
        let pool = TestPoolServer(configuration: configuration)
        try await pool.start()
        defer { pool.stop() }
        let outcome = try await Self.run(["-o", pool.url, "-u", "cli", "-p", "secret", "-a", algorithm.name, "-t", "1", "-P"], interruptAfter: 6)
        #expect(outcome.status == 0, "exit \(outcome.status): \(outcome.errors)")
        let stats = pool.statistics
        #expect(stats.accepted >= 1, "no share accepted; output: \(outcome.output.suffix(2000))")
        #expect(stats.rejected.isEmpty)
        #expect(outcome.output.contains("accepted share"))
        #expect(outcome.output.contains("mining.submit"), "-P shows the protocol")
        #expect(!outcome.output.contains("secret") && !outcome.errors.contains("secret"), "the password leaked into the output")
    }

    @Test func minesSHA256dFromTheCommandLine() async throws {
        try await mineWithTheCLI(SHA256d(), difficulty: 1.0 / 16384)
    }

    @Test func minesScryptFromTheCommandLine() async throws {
        try await mineWithTheCLI(Scrypt(), difficulty: 0.01)
    }

    @Test func refusedCredentialsEndTheCommandWithAClearError() async throws {
        var configuration = TestPoolConfiguration(algorithm: SHA256d(), difficulty: 1)
        configuration.credentials = ["cli": "secret"]
        let pool = TestPoolServer(configuration: configuration)
        try await pool.start()
        defer { pool.stop() }
        let outcome = try await Self.run(["-o", pool.url, "-O", "cli:guess", "-a", "sha256d", "-t", "1"])
        #expect(outcome.status == 1)
        #expect(outcome.errors.contains("refused mining.authorize"), "\(outcome.errors)")
        #expect(!outcome.errors.contains("guess"))
    }

    @Test func benchmarkPrintsAHashrate() async throws {
        let outcome = try await Self.run(["benchmark", "-a", "sha256d", "-t", "2", "--seconds", "1", "--json"])
        #expect(outcome.status == 0, "\(outcome.errors)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: Any])
        #expect((json["hashrate"] as? Double ?? 0) > 0)
        #expect((json["per_thread"] as? [Double])?.count == 2)
        // The kernel is calibrated in that process: one this CPU runs, a vector one whenever there is one.
        let available = SHA256d.variants.filter(\.isAvailable).map(\.name)
        let kernel = try #require(json["kernel"] as? String)
        #expect(available.contains(kernel))
        if available.count > 1 { #expect(kernel != SHA256d.variants.last!.name) }
    }

    /// A pool whose `client.show_message` carries an escape sequence and a newline: the miner's log shows
    /// them escaped, so the pool can neither colour the terminal nor start a line of its own.
    @Test func poolTextInTheLogCannotForgeLinesOrDriveTheTerminal() async throws {
        let (listener, port) = try TestSocket.listen(host: "127.0.0.1", port: 0)
        defer { TestSocket.close(listener) }
        let pool = Task { try await offThePool { try Self.playPool(listener: listener) } }
        let outcome = try await Self.run(["-o", "stratum+tcp://127.0.0.1:\(port)", "-u", "w", "-p", "x", "-a", "sha256d", "-t", "1"],
                                         interruptAfter: 3)
        try await pool.value
        #expect(outcome.output.contains(#"message from pool: evil\u{1b}[31m\u{a}injected"#), "\(outcome.output)")
        #expect(!(outcome.output + outcome.errors).contains("\u{1b}[31m"))
        #expect(!(outcome.output + outcome.errors).split(separator: "\n").contains { $0.hasPrefix("injected") })
    }

    /// The pool side of the test above: subscribe, authorize, then the hostile message.
    static func playPool(listener: Int32) throws {
        guard let fd = TestSocket.accept(listener, timeoutMilliseconds: 20_000), fd >= 0 else { throw StratumError.connection("no miner") }
        defer { TestSocket.close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
        defer { buffer.deallocate() }
        var pending = [UInt8]()
        func request(_ method: String) throws -> JSONValue {
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline {
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[..<newline], as: UTF8.self)
                    pending.removeSubrange(...newline)
                    if case .request(let id, method, _)? = try? StratumMessage.parse(line) { return id }
                }
                let count = TestSocket.receive(fd, into: buffer, timeoutMilliseconds: 100)
                if count < 0 { throw StratumError.connection("miner left") }
                pending += buffer[0..<count]
            }
            throw StratumError.connection("no \(method)")
        }
        let subscribe = try request("mining.subscribe")
        _ = TestSocket.sendAll(fd, #"{"id":\#(subscribe.serialized),"result":[[["mining.notify","1"]],"01000000",4],"error":null}"# + "\n")
        let authorize = try request("mining.authorize")
        _ = TestSocket.sendAll(fd, #"{"id":\#(authorize.serialized),"result":true,"error":null}"# + "\n")
        _ = TestSocket.sendAll(fd, #"{"id":null,"method":"client.show_message","params":["evil\u001b[31m\ninjected"]}"# + "\n")
        Thread.sleep(forTimeInterval: 2)
    }

    /// `-dB` (a combined short flag): one detached child that mines (it once re-spawned itself for ever, as
    /// only an exact `-B` was taken out of its arguments), with its pid file and its log file.
    @Test func backgroundWithCombinedShortFlagsStartsOneMiner() async throws {
        let pool = try await Harness.pool(SHA256d(), difficulty: 1.0 / 8192)
        defer { pool.stop() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pidFile = folder.appendingPathComponent("miner.pid").path, logFile = folder.appendingPathComponent("miner.log").path
        let outcome = try await Self.run(["-dB", "-o", pool.url, "-u", "w", "-p", "x", "-a", "sha256d", "-t", "1",
                                          "--pid-file", pidFile, "--log-file", logFile])
        #expect(outcome.status == 0, "\(outcome.errors)")
        let pid = try #require(outcome.output.split(separator: " ").last.flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) },
                               "\(outcome.output)")
        defer {
            kill(pid, SIGTERM)
            for _ in 0..<50 where kill(pid, 0) == 0 { usleep(100_000) }
            kill(pid, SIGKILL)
        }
        #expect(await Harness.waitUntil(seconds: 20) { pool.statistics.authorized >= 1 })
        try await Task.sleep(for: .seconds(1))
        #expect(pool.statistics.connections == 1, "\(pool.statistics.connections) connections")
        // -B with --pid-file and --log-file: the child's own pid, and its log (-d: debug lines too) in the file.
        let written = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Int32(written) == pid)
        #expect(await Harness.waitUntil(seconds: 10) {
            (try? String(contentsOfFile: logFile, encoding: .utf8))?.contains("authorized as w") == true
        })
        kill(pid, SIGTERM)
        // (Not kill(pid, 0): the orphaned child may linger as a zombie of whoever adopts it.)
        #expect(await Harness.waitUntil(seconds: 10) { !FileManager.default.fileExists(atPath: pidFile) }, "the pid file outlived the stop")
    }

    @Test func kernelsListsEveryKernelWithItsStateAndTheChoice() async throws {
        let outcome = try await Self.run(["kernels", "--json"])
        #expect(outcome.status == 0, "\(outcome.errors)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: [String: Any]])
        for (algorithm, variants) in [("sha256d", SHA256d.variants), ("scrypt", Scrypt.variants)] {
            let entry = try #require(json[algorithm])
            // Names, states and summaries are strings; a calibrated kernel also has its measured rate.
            let listed = try #require(entry["kernels"] as? [[String: Any]])
            let kernels = listed.map { $0.compactMapValues { $0 as? String } }
            #expect(listed.filter { $0["calibration_hashes_per_second"] != nil }.allSatisfy { ($0["calibration_hashes_per_second"] as? Double ?? 0) > 0 })
            #expect(kernels.map { $0["name"] } == variants.map(\.name))
            // The choice is calibrated in that process, so it is checked for what it must be, not for equality
            // with this process's: one available kernel, a vector one whenever there is one.
            let chosen = try #require(entry["chosen"] as? String)
            #expect(kernels.filter { $0["state"] == "chosen" }.map { $0["name"] } == [chosen])
            if variants.filter(\.isAvailable).count > 1 { #expect(chosen != variants.last!.name) }
            for (kernel, variant) in zip(kernels, variants) {
                let expected = !variant.isAvailable ? "unavailable" : variant.name == chosen ? "chosen" : "available"
                #expect(kernel["state"] == expected, "\(variant.name)")
            }
        }
        let text = try await Self.run(["kernels"])
        #expect(text.status == 0)
        for variant in SHA256d.variants + Scrypt.variants { #expect(text.output.contains(variant.name)) }
    }

    @Test func benchmarkTakesTheAlgorithmOfAForcedKernel() async throws {
        let outcome = try await Self.run(["benchmark", "--kernel", "sha256d-scalar", "-t", "1", "--seconds", "0.5", "--json"])
        #expect(outcome.status == 0, "\(outcome.errors)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: Any])
        #expect(json["algorithm"] as? String == "sha256d")
        #expect(json["kernel"] as? String == "sha256d-scalar")
        let mismatch = try await Self.run(["benchmark", "-a", "scrypt", "--kernel", "sha256d-scalar", "--seconds", "0.5"])
        #expect(mismatch.status == 64)
        #expect(mismatch.errors.contains("kernel sha256d-scalar is for sha256d, not scrypt"), "\(mismatch.errors)")
    }

    @Test func serveRefusesToExposeAnUnauthenticatedAPI() async throws {
        let outcome = try await Self.run(["serve", "--api-no-auth", "--api-bind", "0.0.0.0", "--config", "/nonexistent/x.json"])
        #expect(outcome.status == 64)
        #expect(outcome.errors.contains("refusing to listen on 0.0.0.0 without a token"))
    }

    /// Every long-running mode ends on SIGTERM (what systemd and Kubernetes send) and on SIGINT (Ctrl-C)
    /// with status 0: they all stop through the same path (a ServiceGroup's graceful shutdown).
    @Test func everyLongRunningModeExitsZeroOnSIGTERMAndSIGINT() async throws {
        let pool = try await Harness.pool(SHA256d(), difficulty: 1.0 / 8192)
        defer { pool.stop() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let modes: [[String]] = [
            ["-o", pool.url, "-u", "w", "-p", "x", "-a", "sha256d", "-t", "1"],
            ["serve", "--config", folder.appendingPathComponent("nightminer.json").path, "--api-port", "0", "--no-test-pool"],
            ["demo", "-a", "sha256d", "-t", "1"],
            ["testpool", "--port", "0"],
        ]
        for signal in [SIGTERM, SIGINT] {
            for arguments in modes {
                let outcome = try await Self.run(arguments, interruptAfter: 2, with: signal)
                #expect(outcome.status == 0, "\(arguments.first!), signal \(signal): status \(outcome.status); \(outcome.errors.suffix(400))")
            }
        }
    }

    /// A stop that comes while a mode is still starting (its kernels are calibrated for about a second before
    /// its group runs) is held, and ends it gracefully once it runs instead of killing it; a short-lived command
    /// still dies of it.
    @Test func aStopWhileStartingEndsTheModeGracefully() async throws {
        let outcome = try await Self.run(["demo", "-a", "sha256d", "-t", "1"], interruptAfter: 0.4, with: SIGTERM)
        #expect(outcome.status == 0, "status \(outcome.status); \(outcome.errors.suffix(400))")
        #expect(outcome.output.contains("demo finished"), "\(outcome.output)")
        let kernels = try await Self.run(["kernels"], interruptAfter: 0.4, with: SIGINT)
        #expect(kernels.status == SIGINT, "status \(kernels.status)")
    }

    @Test func serveNamesACorruptConfigurationAndLeavesItAlone() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("nightminer.json").path
        try "{\"version\": 1, \"threads\": ".write(toFile: path, atomically: true, encoding: .utf8)
        let outcome = try await Self.run(["serve", "--config", path, "--api-port", "0"])
        #expect(outcome.status == 64)
        #expect(outcome.errors.contains(path) && outcome.errors.contains("not valid JSON"), "\(outcome.errors)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"version\": 1, \"threads\": ")
    }

    @Test func serveStartsTheAPIAndGeneratesAPrivateToken() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let config = folder.appendingPathComponent("nightminer.json").path
        let outcome = try await Self.run(["serve", "--config", config, "--api-port", "0", "--no-test-pool"], interruptAfter: 2)
        #expect(outcome.status == 0, "\(outcome.errors)")
        #expect(outcome.output.contains("nightminer API at http://127.0.0.1:"))
        let tokenPath = folder.appendingPathComponent("api-token").path
        #expect(outcome.output.contains(tokenPath))
        let token = try String(contentsOfFile: tokenPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.count == 64 && !outcome.output.contains(token) && !outcome.errors.contains(token), "the token leaked")
        let mode = try FileManager.default.attributesOfItem(atPath: tokenPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(FileManager.default.fileExists(atPath: config))
    }

    /// `serve` with pool flags: they seed the configuration (a second start with the same flags changes
    /// nothing); the pid file exists while it runs; SIGTERM while shares await their (slow) answers waits
    /// for them, then exits 0; JSON log lines.
    @Test func serveTakesPoolFlagsAndAnswersPendingSharesOnSIGTERM() async throws {
        let pool = try await Harness.pool(SHA256d(), difficulty: 1.0 / 2048) { $0.faults = [.slow] }
        defer { pool.stop() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("nightminer.json").path
        let pidFile = folder.appendingPathComponent("nightminer.pid").path
        let arguments = ["serve", "--config", config, "--api-port", "0", "-o", pool.url, "-u", "flagged", "-p", "x", "-a", "sha256d",
                         "-t", "1", "--pid-file", pidFile, "--log-format", "json"]
        let watcher = Task.detached {
            // The pid file names the running process.
            for _ in 0..<100 {
                if let text = try? String(contentsOfFile: pidFile, encoding: .utf8), Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) != nil {
                    return true
                }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return false
        }
        let outcome = try await Self.run(arguments, interruptAfter: 5, with: SIGTERM)
        #expect(await watcher.value, "no pid file while running")
        #expect(outcome.status == 0, "\(outcome.errors)")
        #expect(!FileManager.default.fileExists(atPath: pidFile), "the pid file outlived the process")
        let records = (outcome.output + outcome.errors).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(records.count >= 3 && records.allSatisfy { $0["time"] is String && $0["level"] is String && $0["message"] is String })
        let answered = records.filter { ($0["message"] as? String)?.hasPrefix("accepted share") == true }.count
        #expect(pool.statistics.accepted >= 1 && answered == pool.statistics.accepted,
                "the pool accepted \(pool.statistics.accepted), the miner heard of \(answered) before it exited")
        let saved = try String(contentsOfFile: config, encoding: .utf8)
        #expect(saved.contains(pool.url) && saved.contains("flagged") && saved.contains("sha256d"))
        _ = try await Self.run(arguments + ["--no-test-pool"], interruptAfter: 1, with: SIGTERM)
        #expect(try String(contentsOfFile: config, encoding: .utf8) == saved, "the same flags changed the configuration")
    }

    /// Under systemd (`Type=notify`): READY=1 once the API listens, STOPPING=1 when SIGTERM begins the stop.
    @Test func serveTellsSystemdWhenItIsReadyAndWhenItStops() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let socketPath = folder.appendingPathComponent("notify").path
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in socketPath.utf8.enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        let config = folder.appendingPathComponent("nightminer.json").path
        let outcome = try await Self.run(["serve", "--config", config, "--api-port", "0", "--no-test-pool"], interruptAfter: 2,
                                         with: SIGTERM, environment: ["NOTIFY_SOCKET": socketPath])
        #expect(outcome.status == 0, "\(outcome.errors)")
        var messages = [String]()
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let count = buffer.withUnsafeMutableBytes { TestSocket.receive(fd, into: $0, timeoutMilliseconds: 100) }
            guard count > 0 else { break }
            messages.append(String(decoding: buffer[..<count], as: UTF8.self))
        }
        #expect(messages == ["READY=1", "STOPPING=1"], "\(messages)")
    }

    @Test func demoRunsPoolAndMinerTogether() async throws {
        let outcome = try await Self.run(["demo", "-a", "sha256d", "--difficulty", "0.0002", "--seconds", "4", "-t", "1"])
        #expect(outcome.status == 0, "\(outcome.errors)")
        #expect(outcome.output.contains("demo finished: the test pool accepted"))
        #expect(outcome.output.contains("rejected 0"))
    }
}
