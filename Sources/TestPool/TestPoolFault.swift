import Foundation
/// Misbehaviour the embedded test pool can be told to show (`nightminer testpool --fault …`), so miners,
/// ours and others, can be tried against the faults real pools and networks produce.
public enum TestPoolFault: String, Sendable, CaseIterable {
    /// Closes each connection after its first accepted share.
    case drop
    /// Sends `client.reconnect` (to itself) after each connection's first accepted share.
    case reconnect
    /// Sends `mining.set_extranonce` and a clean job after each connection's first accepted share; shares
    /// for older jobs are then stale (code 21).
    case setExtranonce = "set-extranonce"
    /// Sends a new difficulty (alternately doubled and halved) between notifies, every 300 ms.
    case difficulty
    /// Sends a clean job every 100 ms.
    case cleanStorm = "clean-storm"
    /// Sends a line of garbage before every line.
    case garbage
    /// Answers every share 2 s late.
    case slow
    /// Rejects every valid share (code 20); invalid ones get their usual code.
    case rejectAll = "reject-all"
    /// Stops reading from each miner once it is authorized, and keeps asking it for `mining.ping` answers.
    case stall

    /// Parses `drop,reconnect,…`; throws a sentence naming the faults there are.
    public static func parse(_ list: String) throws -> Set<TestPoolFault> {
        var faults = Set<TestPoolFault>()
        for name in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let fault = TestPoolFault(rawValue: name) else {
                throw UnknownFault(name: name)
            }
            faults.insert(fault)
        }
        return faults
    }

    /// A fault name that does not exist.
    public struct UnknownFault: Error, CustomStringConvertible {
        /// The name given.
        public let name: String
        /// A sentence listing the faults there are.
        public var description: String {
            "unknown fault '\(name)' (faults: \(TestPoolFault.allCases.map(\.rawValue).joined(separator: ", ")))"
        }
    }
}
