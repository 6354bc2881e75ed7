/// One implementation of an algorithm's nonce scanner (a "kernel"), for example SHA256d on AVX-512.
///
/// At start the fastest variant that the CPU supports and that passes its known-answer self-test is used
/// (see ``fastest(of:calibrationNonces:passing:)``). A variant that fails its self-test is never used.
public struct KernelVariant: Sendable {
    /// A stable name, e.g. `sha256d-avx512`; `--kernel` takes it.
    public let name: String
    /// What it is.
    public let summary: String
    /// Whether this CPU can run it.
    public let isAvailable: Bool
    /// Makes a scanner for one thread.
    public let makeScanner: @Sendable () -> any NonceScanner

    /// Creates a variant.
    public init(name: String, summary: String, isAvailable: Bool, makeScanner: @escaping @Sendable () -> any NonceScanner) {
        self.name = name
        self.summary = summary
        self.isAvailable = isAvailable
        self.makeScanner = makeScanner
    }
}

extension KernelVariant {
    /// The fastest of `variants` that this CPU runs and that passes `selfTest`. When several vector kernels
    /// qualify, a short calibration decides (each scans `calibrationNonces` nonces of a sample header, best
    /// of three, taken in turns); the last variant, the portable one, is used only when nothing else
    /// qualifies.
    public static func fastest(of variants: [KernelVariant], calibrationNonces: UInt32,
                               passing selfTest: (KernelVariant) -> Bool) -> KernelVariant {
        let portable = variants[variants.count - 1]
        let qualified = variants.dropLast().filter { $0.isAvailable && selfTest($0) }
        guard qualified.count > 1 else { return qualified.first ?? portable }
        let scanners = qualified.map { variant in
            let scanner = variant.makeScanner()
            scanner.load(header: KernelSelfTest.sampleHeader)
            return scanner
        }
        var best = [Duration](repeating: .seconds(3600), count: qualified.count)
        for round in 0..<3 {
            for (index, scanner) in scanners.enumerated() {
                let start = UInt32(round) &* calibrationNonces
                let elapsed = ContinuousClock().measure {
                    _ = scanner.scan(from: start, count: calibrationNonces, target: Target(limbs: .zero))
                }
                best[index] = min(best[index], elapsed)
            }
        }
        return qualified[best.indices.min { best[$0] < best[$1] }!]
    }

    /// The variant called `name`, checked: known, available on this CPU, and passing `selfTest`.
    public static func named(_ name: String, in variants: [KernelVariant],
                             passing selfTest: (KernelVariant) -> Bool) throws(KernelSelectionError) -> KernelVariant {
        guard let variant = variants.first(where: { $0.name == name.lowercased() }) else {
            throw .unknown(name, known: variants.map(\.name))
        }
        guard variant.isAvailable else { throw .unavailable(variant.name) }
        guard selfTest(variant) else { throw .failedSelfTest(variant.name) }
        return variant
    }
}

/// Why a kernel could not be chosen.
public enum KernelSelectionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No variant has that name.
    case unknown(String, known: [String])
    /// The CPU lacks the instructions.
    case unavailable(String)
    /// It computed a wrong answer.
    case failedSelfTest(String)

    /// A sentence for the user.
    public var description: String {
        switch self {
        case .unknown(let name, let known): "unknown kernel '\(name)' (known: \(known.joined(separator: ", ")))"
        case .unavailable(let name): "kernel \(name) needs instructions this CPU does not have"
        case .failedSelfTest(let name): "kernel \(name) failed its known-answer self-test"
        }
    }
}

/// Known-answer checks every kernel passes before it is used.
public enum KernelSelfTest {
    /// Checks a scanner against `algorithm`'s reference hash: on `header` it must stop exactly at the
    /// nonce with the smallest hash among `width` nonces from `start`, and find nothing below that hash.
    public static func passes(_ scanner: any NonceScanner, algorithm: any ProofOfWork, header: [UInt8], start: UInt32, width: UInt32) -> Bool {
        var header = header
        var best: (nonce: UInt32, target: Target)?
        for offset in 0..<width {
            BlockHeader.setNonce(start &+ offset, in: &header)
            guard let value = Target(littleEndianBytes: algorithm.hash(header: header)) else { return false }
            if best == nil || value.isLess(than: best!.target) { best = (start &+ offset, value) }
        }
        guard let best else { return false }
        scanner.load(header: header)
        let hit = scanner.scan(from: start, count: width, target: best.target)
        guard hit == ScanResult(hashesDone: best.nonce &- start &+ 1, nonce: best.nonce) else { return false }
        var below = best.target.limbs
        for index in 0..<8 {
            if below[index] > 0 { below[index] -= 1; break }
            below[index] = .max
        }
        return scanner.scan(from: start, count: width, target: Target(limbs: below)).nonce == nil
    }

    /// A fixed, arbitrary header for self-tests.
    public static let sampleHeader: [UInt8] = (0..<80).map { UInt8(truncatingIfNeeded: $0 &* 73 &+ 11) }
}
