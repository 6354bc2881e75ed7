import ArgumentParser
import NightMiner
import ProofOfWork
import Stratum

/// `nightminer kernels`: every hashing kernel, whether this CPU can run it, and which one is chosen.
struct KernelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "List the hashing kernels, their availability on this CPU and the one chosen.")

    @Flag(help: "Print JSON: per algorithm, the chosen kernel and every kernel's state.")
    var json = false

    /// What a kernel is on this machine.
    enum State: String {
        case chosen, available, unavailable
        case failedSelfTest = "failed-self-test"
    }

    func run() throws {
        let chosen = [SHA256d().kernelName, Scrypt().kernelName]
        let calibrations = ["sha256d": SHA256d.calibration, "scrypt": Scrypt.calibration]
        var report: [String: JSONValue] = [:]
        for (algorithm, variants) in KernelChoice.all {
            var kernels: [JSONValue] = []
            let rates = Dictionary((calibrations[algorithm]?.figures ?? []).map { ($0.kernel, $0.hashesPerSecond) }, uniquingKeysWith: { a, _ in a })
            if !json {
                let trials = calibrations[algorithm]?.trials ?? 0
                print("\(algorithm):" + (rates.isEmpty ? "" : " (calibration: median of \(trials) interleaved trials, one thread)"))
            }
            for variant in variants {
                let state: State
                if !variant.isAvailable {
                    state = .unavailable
                } else {
                    let passes = algorithm == "sha256d" ? SHA256d.selfTest(variant) : Scrypt.selfTest(variant)
                    state = passes ? (chosen.contains(variant.name) ? .chosen : .available) : .failedSelfTest
                }
                var entry: [String: JSONValue] = ["name": .string(variant.name), "state": .string(state.rawValue), "summary": .string(variant.summary)]
                if let rate = rates[variant.name] { entry["calibration_hashes_per_second"] = .number(rate.rounded()) }
                kernels.append(.object(entry))
                if !json {
                    let shown = state == .failedSelfTest ? "FAILED SELF-TEST" : state.rawValue
                    let rate = rates[variant.name].map { Miner.formatRate($0) } ?? ""
                    print("  \(variant.name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(shown.padding(toLength: 16, withPad: " ", startingAt: 0)) \(rate.padding(toLength: 13, withPad: " ", startingAt: 0)) \(variant.summary)")
                }
            }
            let chosenHere = variants.first { chosen.contains($0.name) }?.name
            report[algorithm] = .object(["chosen": chosenHere.map(JSONValue.string) ?? .null, "kernels": .array(kernels)])
        }
        if json { print(JSONValue.object(report).serialized) }
    }
}
