import ProofOfWork

/// Picks kernels by name for `--kernel` and lists them for `nightminer kernels`.
package enum KernelChoice {
    /// The built-in algorithms' kernels, by algorithm name.
    package static var all: [(algorithm: String, variants: [KernelVariant])] {
        [("sha256d", SHA256d.variants), ("scrypt", Scrypt.variants)]
    }

    /// A standard registry whose algorithm uses the kernel `name` (e.g. `sha256d-avx2`); the algorithm is
    /// the one whose kernel list holds the name. Throws when the name is unknown, the CPU lacks it, or it
    /// fails its self-test.
    package static func registry(forcing name: String?) throws(KernelSelectionError) -> AlgorithmRegistry {
        let registry = AlgorithmRegistry.standard()
        guard let name else { return registry }
        let lowered = name.lowercased()
        if SHA256d.variants.contains(where: { $0.name == lowered }) {
            registry.register(try SHA256d(kernel: lowered))
        } else if Scrypt.variants.contains(where: { $0.name == lowered }) {
            registry.register(try Scrypt(kernel: lowered))
        } else {
            throw .unknown(name, known: all.flatMap { $0.variants.map(\.name) })
        }
        return registry
    }

    /// The algorithm a kernel name belongs to, if any.
    package static func algorithm(ofKernel name: String) -> String? {
        all.first { $0.variants.contains { $0.name == name.lowercased() } }?.algorithm
    }
}
