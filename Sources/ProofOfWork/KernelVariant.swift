#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Guarded

/// One implementation of an algorithm's nonce scanner (a "kernel"), for example SHA256d on AVX-512.
///
/// At start the fastest variant that the CPU supports and that passes its known-answer self-test is used
/// (see ``fastest(of:calibrationNonces:passing:)``). A variant that fails its self-test is never used.
package struct KernelVariant: Sendable {
    /// A stable name, e.g. `sha256d-avx512`; `--kernel` takes it.
    package let name: String
    /// What it is.
    package let summary: String
    /// Whether this CPU can run it.
    package let isAvailable: Bool
    /// Makes a scanner for one thread.
    package let makeScanner: @Sendable () -> any NonceScanner

    /// Creates a variant.
    package init(name: String, summary: String, isAvailable: Bool, makeScanner: @escaping @Sendable () -> any NonceScanner) {
        self.name = name
        self.summary = summary
        self.isAvailable = isAvailable
        self.makeScanner = makeScanner
    }
}

/// How a kernel was chosen: every qualified variant's measured rate, the chosen one first.
package struct KernelCalibration: Sendable {
    /// One variant's figure.
    package struct Figure: Sendable {
        /// The variant's name.
        package var kernel: String
        /// Median hashes per second over the trials, on one thread.
        package var hashesPerSecond: Double
    }

    /// The variant chosen.
    package var chosen: KernelVariant
    /// The figures that chose it, fastest first; empty when only one variant qualified (nothing to measure).
    package var figures: [Figure]
    /// Trials per variant.
    package var trials: Int

    /// The kernel to try against `current` while mining: the fastest measured other than `current`
    /// (the runner-up, or the first choice once the miner has moved to the runner-up); `nil` when only one
    /// variant qualified.
    func runnerUp(to current: KernelVariant) -> KernelVariant? {
        guard let other = figures.first(where: { $0.kernel != current.name }) else { return nil }
        return variants.first { $0.name == other.kernel }
    }

    /// The qualified variants that were measured.
    var variants: [KernelVariant]
}

extension KernelVariant {
    /// The fastest of `variants` that this CPU runs and that passes `selfTest` (see ``calibrate(_:calibrationNonces:trials:passing:)``).
    package static func fastest(of variants: [KernelVariant], calibrationNonces: UInt32,
                               passing selfTest: (KernelVariant) -> Bool) -> KernelVariant {
        calibrate(variants, calibrationNonces: calibrationNonces, passing: selfTest).chosen
    }

    /// Chooses among `variants` those this CPU runs and that pass `selfTest`. When several vector kernels
    /// qualify, they are timed on a sample header: `trials` rounds, each variant scanning
    /// `calibrationNonces` nonces once per round, in an order that rotates every round, and each variant's
    /// median decides. A trial is timed by the thread's CPU time, so time the thread spends preempted by
    /// other work does not count; what load still changes (caches, a busy sibling) hits every variant alike
    /// and spoils a few trials at most, which the median ignores. The last variant, the portable one, is used only when nothing
    /// else qualifies.
    package static func calibrate(_ variants: [KernelVariant], calibrationNonces: UInt32, trials: Int = 9,
                                 passing selfTest: (KernelVariant) -> Bool) -> KernelCalibration {
        let portable = variants[variants.count - 1]
        let qualified = variants.dropLast().filter { $0.isAvailable && selfTest($0) }
        guard qualified.count > 1 else {
            return KernelCalibration(chosen: qualified.first ?? portable, figures: [], trials: 0, variants: [])
        }
        let scanners = qualified.map { variant in
            let scanner = variant.makeScanner()
            scanner.load(header: KernelSelfTest.sampleHeader)
            return scanner
        }
        var times = [[Duration]](repeating: [], count: qualified.count)
        for round in 0..<max(1, trials) {
            for step in scanners.indices {
                let index = (step + round) % scanners.count
                let start = UInt32(truncatingIfNeeded: round) &* calibrationNonces
                let before = threadCPUTime()
                _ = scanners[index].scan(from: start, count: calibrationNonces, target: Target(limbs: .zero))
                times[index].append(threadCPUTime() - before)
            }
        }
        let figures = qualified.indices.map { index in
            let seconds = times[index].median?.inSeconds ?? 0
            return KernelCalibration.Figure(kernel: qualified[index].name, hashesPerSecond: seconds > 0 ? Double(calibrationNonces) / seconds : 0)
        }.sorted { $0.hashesPerSecond > $1.hashesPerSecond }
        let chosen = qualified.first { $0.name == figures[0].kernel }!
        return KernelCalibration(chosen: chosen, figures: figures, trials: max(1, trials), variants: qualified)
    }

    /// The CPU time the calling thread has used.
    package static func threadCPUTime() -> Duration {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return .seconds(Int64(now.tv_sec)) + .nanoseconds(Int64(now.tv_nsec))
    }

    /// The variant called `name`, checked: known, available on this CPU, and passing `selfTest`.
    package static func named(_ name: String, in variants: [KernelVariant],
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
package enum KernelSelectionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No variant has that name.
    case unknown(String, known: [String])
    /// The CPU lacks the instructions.
    case unavailable(String)
    /// It computed a wrong answer.
    case failedSelfTest(String)

    /// A sentence for the user.
    package var description: String {
        switch self {
        case .unknown(let name, let known): "unknown kernel '\(name)' (known: \(known.joined(separator: ", ")))"
        case .unavailable(let name): "kernel \(name) needs instructions this CPU does not have"
        case .failedSelfTest(let name): "kernel \(name) failed its known-answer self-test"
        }
    }
}

/// Known-answer checks every kernel passes before it is used.
package enum KernelSelfTest {
    /// Checks a scanner against `algorithm`'s reference hash: on `header` it must stop exactly at the
    /// nonce with the smallest hash among `width` nonces from `start`, report that nonce's hash exactly, and
    /// find nothing below that hash.
    package static func passes(_ scanner: any NonceScanner, algorithm: any ProofOfWork, header: [UInt8], start: UInt32, width: UInt32) -> Bool {
        var header = header
        var best: (nonce: UInt32, target: Target, hash: [UInt8])?
        for offset in 0..<width {
            BlockHeader.setNonce(start &+ offset, in: &header)
            let hash = algorithm.hash(header: header)
            guard let value = Target(littleEndianBytes: hash) else { return false }
            if best == nil || value.isLess(than: best!.target) { best = (start &+ offset, value, hash) }
        }
        guard let best else { return false }
        scanner.load(header: header)
        let hit = scanner.scan(from: start, count: width, target: best.target)
        // The hash a scanner reports is what the share is checked and submitted with: it must be exact.
        guard hit.hashesDone == best.nonce &- start &+ 1, hit.nonce == best.nonce, hit.hash == nil || hit.hash == best.hash else { return false }
        var below = best.target.limbs
        for index in 0..<8 {
            if below[index] > 0 { below[index] -= 1; break }
            below[index] = .max
        }
        return scanner.scan(from: start, count: width, target: Target(limbs: below)).nonce == nil
    }

    /// A fixed, arbitrary header for self-tests.
    package static let sampleHeader: [UInt8] = (0..<80).map { UInt8(truncatingIfNeeded: $0 &* 73 &+ 11) }
}
