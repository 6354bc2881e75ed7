import ArgumentParser
import FleetClient
import Foundation
import NightMiner
import Stratum

/// `nightminer fleet`: the same operation on many miners' APIs at once, a table (or JSON) of the outcome.
struct FleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Run one operation on many miners' APIs at once and print a table (or JSON) of them.",
        discussion: """
            Hosts come from --hosts FILE (one host:port or http://host:port a line, # comments) or from every
            address of --hosts-dns NAME:PORT (a Kubernetes headless Service). Exits 1 when any host failed, and
            names them on standard error.
            """,
        subcommands: [Status.self, Start.self, Stop.self, SwitchPool.self, SetConfig.self])

    /// Declared here too, so the fleet options may come before the operation (`fleet --hosts F status`).
    @OptionGroup var options: Options

    /// The fleet and how to reach it, for every operation.
    struct Options: ParsableArguments {
        @Option(help: "A file of miners' API addresses (host:port or http://host:port, one a line, # comments).")
        var hosts: String?

        @Option(help: "Every address of this name, with this port (NAME:PORT), e.g. a headless Service.")
        var hostsDns: String?

        @Option(help: "A file holding the API token (needed for start, stop, switch-pool and set-config).")
        var tokenFile: String?

        @Flag(help: "Print one JSON object per host (with ok and error) instead of a table.")
        var json = false

        @Option(help: "Seconds each request may take.")
        var timeout: Double = 5

        @Option(help: "Miners talked to at once.")
        var concurrency = 16

        func validate() throws {
            guard (hosts == nil) != (hostsDns == nil) else { throw ValidationError("give either --hosts FILE or --hosts-dns NAME:PORT") }
            guard timeout > 0, timeout <= 300 else { throw ValidationError("--timeout must be between 0 and 300 seconds") }
            guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 256") }
        }

        /// The fleet these options describe.
        func fleet(needsToken: Bool) async throws -> Fleet {
            var token: String?
            if let tokenFile {
                do { token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) } catch {
                    throw ValidationError("cannot read the token file \(tokenFile): \(error.localizedDescription)")
                }
            } else if needsToken {
                throw ValidationError("this operation changes state: give --token-file FILE")
            }
            let found: [Fleet.Host]
            do {
                if let hostsDns {
                    guard let colon = hostsDns.lastIndex(of: ":"), let port = Int(hostsDns[hostsDns.index(after: colon)...]),
                          (1...65_535).contains(port) else { throw ValidationError("--hosts-dns takes NAME:PORT") }
                    found = try await Fleet.hosts(dns: String(hostsDns[..<colon]), port: port)
                } else {
                    found = try Fleet.hosts(file: hosts ?? "")
                }
            } catch let failure as Fleet.Failure {
                throw ValidationError(failure.description)
            }
            return Fleet(hosts: found, token: token, timeout: .milliseconds(Int64(timeout * 1000)), concurrency: concurrency)
        }

        /// Runs `operation` and prints the outcome; exits 1 naming the hosts that failed.
        func run(_ operation: Fleet.Operation, needsToken: Bool) async throws {
            let outcomes = try await fleet(needsToken: needsToken).run(operation)
            print(json ? FleetReport.json(outcomes) : FleetReport.table(outcomes))
            let failed = outcomes.filter { !$0.ok }
            if !failed.isEmpty {
                FileHandle.standardError.write(Data(("fleet: \(failed.count) of \(outcomes.count) failed: "
                    + failed.map { "\($0.host) (\($0.error ?? ""))" }.joined(separator: ", ") + "\n").utf8))
                throw ExitCode(1)
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each miner's state, algorithm, hashrate, shares and pool.")
        @OptionGroup var options: Options
        func run() async throws { try await options.run(.status, needsToken: false) }
    }

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start mining everywhere.")
        @OptionGroup var options: Options
        func run() async throws { try await options.run(.start, needsToken: true) }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop mining everywhere.")
        @OptionGroup var options: Options
        func run() async throws { try await options.run(.stop, needsToken: true) }
    }

    struct SwitchPool: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "switch-pool", abstract: "Make every miner use this pool (added where missing; -u needed then).")
        @OptionGroup var options: Options
        @Argument(help: "The pool URL (stratum+tcp://host:port or stratum+ssl://host:port).")
        var url: String
        @Option(name: [.customShort("u"), .customLong("user")], help: "Worker name.")
        var user: String?
        @Option(name: [.customShort("p"), .customLong("pass")], help: "Worker password.")
        var password: String?
        @Option(name: [.customShort("a"), .customLong("algo")], help: "Algorithm for this pool.")
        var algorithm: String?

        func validate() throws {
            do { _ = try PoolEndpoint(url: url, user: user ?? "x", password: "") } catch { throw ValidationError(error.description) }
        }

        func run() async throws {
            try await options.run(.switchPool(url: url, user: user, password: password, algorithm: algorithm), needsToken: true)
        }
    }

    struct SetConfig: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-config", abstract: "Change settings everywhere: threads=N, algorithm=NAME, log_level=LEVEL, autostart=true|false.")
        @OptionGroup var options: Options
        @Argument(help: "KEY=VALUE pairs.")
        var settings: [String]

        /// The settings as JSON fields: numbers and true/false as such, anything else as text.
        func fields() throws -> [String: JSONValue] {
            guard !settings.isEmpty else { throw ValidationError("give at least one KEY=VALUE") }
            var fields: [String: JSONValue] = [:]
            for pair in settings {
                guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else { throw ValidationError("'\(pair)' is not KEY=VALUE") }
                let value = String(pair[pair.index(after: equals)...])
                fields[String(pair[..<equals])] = Int(value).map { .number(Double($0)) } ?? (value == "true" ? .bool(true)
                    : value == "false" ? .bool(false) : .string(value))
            }
            return fields
        }

        func validate() throws { _ = try fields() }

        func run() async throws { try await options.run(.setConfig(try fields()), needsToken: true) }
    }
}

/// How `fleet` prints outcomes.
enum FleetReport {
    /// One row per host: state, algorithm, hashrate (60 s), accepted/rejected, pool; or the error.
    static func table(_ outcomes: [Fleet.Outcome]) -> String {
        var rows = [["HOST", "STATE", "ALGORITHM", "HASHRATE", "ACCEPTED/REJECTED", "POOL"]]
        for outcome in outcomes {
            guard let status = outcome.status else {
                rows.append([outcome.host.description, "error", outcome.error ?? "", "", "", ""])
                continue
            }
            let shares = status["shares"]
            rows.append([
                outcome.host.description, status["state"]?.stringValue ?? "?", status["algorithm"]?.stringValue ?? "?",
                Miner.formatRate(status["hashrate"]?["60s"]?.numberValue ?? 0),
                "\(Int(shares?["accepted"]?.numberValue ?? 0))/\(Int(shares?["rejected_total"]?.numberValue ?? 0))",
                status["pool"]?["url"]?.stringValue ?? "",
            ])
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }

    /// A JSON array: per host, `host`, `ok`, `error`, and its state, algorithm, hashrate, shares and pool.
    static func json(_ outcomes: [Fleet.Outcome]) -> String {
        JSONValue.array(outcomes.map { outcome in
            var object: [String: JSONValue] = ["host": .string(outcome.host.description), "ok": .bool(outcome.ok),
                                               "error": outcome.error.map(JSONValue.string) ?? .null]
            if let status = outcome.status {
                object["state"] = status["state"] ?? .null
                object["algorithm"] = status["algorithm"] ?? .null
                object["hashrate"] = status["hashrate"]?["60s"] ?? .null
                object["accepted"] = status["shares"]?["accepted"] ?? .null
                object["rejected"] = status["shares"]?["rejected_total"] ?? .null
                object["pool"] = status["pool"]?["url"] ?? .null
            }
            return .object(object)
        }).serialized
    }
}
