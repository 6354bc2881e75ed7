import ArgumentParser
import NightMiner
import ProofOfWork

/// `nightminer kernels`: every hashing kernel, whether this CPU can run it, and which one is chosen.
struct KernelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "List the hashing kernels, their availability on this CPU and the one chosen.")

    func run() throws {
        let chosen = [SHA256d().kernelName, Scrypt().kernelName]
        for (algorithm, variants) in KernelChoice.all {
            print("\(algorithm):")
            for variant in variants {
                let state: String
                if !variant.isAvailable {
                    state = "unavailable"
                } else {
                    let passes = algorithm == "sha256d" ? SHA256d.selfTest(variant) : Scrypt.selfTest(variant)
                    state = passes ? (chosen.contains(variant.name) ? "chosen" : "available") : "FAILED SELF-TEST"
                }
                print("  \(variant.name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(state.padding(toLength: 16, withPad: " ", startingAt: 0)) \(variant.summary)")
            }
        }
    }
}
