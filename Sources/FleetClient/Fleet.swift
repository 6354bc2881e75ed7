import Foundation
import JSON
import NIOCore
import NIOHTTP1
import NIOPosix

/// Many miners' APIs at once: `nightminer fleet`. Every host gets the same operation, at most
/// ``concurrency`` at a time, each within ``APIClient/timeout``; one host's failure never stops the others.
package struct Fleet: Sendable {
    /// A miner's API address.
    package struct Host: Sendable, Hashable, CustomStringConvertible {
        /// Name or address.
        package var host: String
        /// Port.
        package var port: Int
        /// `host:port` (IPv6 in brackets).
        package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

        /// A host.
        package init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// Reads `host:port`, `[v6]:port` or `http://host:port[/…]`.
        package init(parsing text: String) throws(Fleet.Failure) {
            var rest = Substring(text.trimmingCharacters(in: .whitespaces))
            if let scheme = rest.range(of: "://") {
                guard rest[..<scheme.lowerBound].lowercased() == "http" else { throw Failure("only http:// miners are supported: \(text)") }
                rest = rest[scheme.upperBound...]
            }
            if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
            let hostPart: Substring
            let portPart: Substring
            if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                hostPart = rest[rest.index(after: rest.startIndex)..<close]
                portPart = rest[rest.index(after: close)...].drop { $0 == ":" }
            } else if let colon = rest.lastIndex(of: ":") {
                hostPart = rest[..<colon]
                portPart = rest[rest.index(after: colon)...]
            } else {
                throw Failure("'\(text)' lacks a port (host:port)")
            }
            guard !hostPart.isEmpty, let port = Int(portPart), (1...65_535).contains(port) else { throw Failure("'\(text)' is not host:port") }
            self.init(host: String(hostPart), port: port)
        }
    }

    /// A problem with the fleet's description (not with a host).
    package struct Failure: Error, Sendable, CustomStringConvertible {
        /// What is wrong.
        package let description: String
        init(_ description: String) { self.description = description }
    }

    /// What one host answered.
    package struct Outcome: Sendable {
        /// The host.
        package var host: Host
        /// Its status after the operation, when it answered.
        package var status: [String: JSONValue]?
        /// Why it failed, when it did.
        package var error: String?
        /// Whether it did what was asked.
        package var ok: Bool { error == nil }
    }

    /// What to do on every host.
    package enum Operation: Sendable {
        /// Read the status.
        case status
        /// Start mining.
        case start
        /// Stop mining.
        case stop
        /// Use this pool (added when missing), with these credentials and algorithm when given.
        case switchPool(url: String, user: String?, password: String?, algorithm: String?)
        /// Change settings (`threads=2`, `autostart=false`, `log_level=debug`, `algorithm=sha256d`).
        case setConfig([String: JSONValue])
    }

    /// The miners.
    package var hosts: [Host]
    /// The token for state changes.
    package var token: String?
    /// Each request's time limit.
    package var timeout: Duration
    /// Hosts talked to at once.
    package var concurrency: Int

    /// A fleet.
    package init(hosts: [Host], token: String?, timeout: Duration = .seconds(5), concurrency: Int = 16) {
        self.hosts = hosts
        self.token = token
        self.timeout = timeout
        self.concurrency = max(1, concurrency)
    }

    /// The hosts of a hosts file: one `host:port` or URL a line, `#` comments, blank lines ignored.
    package static func hosts(file path: String) throws(Failure) -> [Host] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw Failure("cannot read \(path): \(error.localizedDescription)") }
        var hosts = [Host]()
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            do { hosts.append(try Host(parsing: line)) } catch { throw Failure("\(path):\(number + 1): \(error.description)") }
        }
        guard !hosts.isEmpty else { throw Failure("\(path) names no host") }
        return hosts
    }

    /// Every address of `name` (a Kubernetes headless Service gives one per pod), with `port`.
    package static func hosts(dns name: String, port: Int) async throws(Failure) -> [Host] {
        let addresses: [String]
        do {
            addresses = try await NIOThreadPool.singleton.runIfActive { try Self.resolve(name) }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure("cannot resolve \(name): \(error)")
        }
        guard !addresses.isEmpty else { throw Failure("\(name) has no address") }
        return addresses.map { Host(host: $0, port: port) }
    }

    /// getaddrinfo, on a thread of NIO's pool (it blocks).
    private static func resolve(_ name: String) throws -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, nil, &hints, &list)
        guard status == 0 else { throw Failure("cannot resolve \(name): \(String(cString: gai_strerror(status)))") }
        defer { freeaddrinfo(list) }
        var addresses = [String]()
        var entry = list
        while let current = entry {
            var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(current.pointee.ai_addr, current.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 {
                let address = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !addresses.contains(address) { addresses.append(address) }
            }
            entry = current.pointee.ai_next
        }
        return addresses
    }

    /// Does `operation` on every host (at most ``concurrency`` at once); the outcomes in the hosts' order.
    package func run(_ operation: Operation) async -> [Outcome] {
        var outcomes = [Outcome?](repeating: nil, count: hosts.count)
        await withTaskGroup(of: (Int, Outcome).self) { group in
            var next = 0
            func launch() {
                guard next < hosts.count else { return }
                let index = next
                next += 1
                group.addTask { (index, await self.perform(operation, on: self.hosts[index])) }
            }
            for _ in 0..<min(concurrency, hosts.count) { launch() }
            while let (index, outcome) = await group.next() {
                outcomes[index] = outcome
                launch()
            }
        }
        return outcomes.map { $0! }
    }

    private func perform(_ operation: Operation, on host: Host) async -> Outcome {
        let client = APIClient(host: host.host, port: host.port, token: token, timeout: timeout)
        do {
            switch operation {
            case .status:
                break
            case .start:
                try expect(await client.send(.POST, "/mining/start"))
            case .stop:
                try expect(await client.send(.POST, "/mining/stop"))
            case .switchPool(let url, let user, let password, let algorithm):
                let pools = try expect(await client.send(.GET, "/pools")).json as? [[String: Any]] ?? []
                var fields: [String: JSONValue] = [:]
                if let user { fields["user"] = .string(user) }
                if let password { fields["password"] = .string(password) }
                if let algorithm { fields["algorithm"] = .string(algorithm) }
                let id: Int
                if let existing = pools.first(where: { $0["url"] as? String == url }), let known = existing["id"] as? Int {
                    id = known
                    if !fields.isEmpty { try expect(await client.send(.PATCH, "/pools/\(id)", json: JSONValue.object(fields).serialized)) }
                } else {
                    guard user != nil else { throw APIClient.Failure(description: "no pool \(url) on this miner: give -u to add it") }
                    fields["url"] = .string(url)
                    fields["priority"] = .number(0)
                    let created = try expect(await client.send(.POST, "/pools", json: JSONValue.object(fields).serialized))
                    guard let newID = (created.json as? [String: Any])?["id"] as? Int else {
                        throw APIClient.Failure(description: "the miner did not say which id the new pool got")
                    }
                    id = newID
                }
                try expect(await client.send(.POST, "/pools/\(id)/activate"))
            case .setConfig(let fields):
                try expect(await client.send(.PATCH, "/config", json: JSONValue.object(fields).serialized))
            }
            let stats = try expect(await client.send(.GET, "/stats"))
            guard let document = try? JSONValue.parse(String(decoding: stats.body, as: UTF8.self)), let object = document.objectValue else {
                throw APIClient.Failure(description: "/stats is not a JSON object")
            }
            return Outcome(host: host, status: object, error: nil)
        } catch {
            return Outcome(host: host, status: nil, error: "\(error)")
        }
    }

    /// The response when it is a success; its problem's detail as the error otherwise.
    @discardableResult
    private func expect(_ response: APIClient.Response) throws(APIClient.Failure) -> APIClient.Response {
        guard (200..<300).contains(response.status) else { throw APIClient.Failure(description: response.problem) }
        return response
    }
}
