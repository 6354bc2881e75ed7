import CHashKernels

/// Bitcoin's proof of work: SHA-256 applied twice to the 80-byte header.
///
/// Scanning uses the fastest kernel this CPU supports that passes its self-test (see ``variants``), or the
/// one named at creation.
public struct SHA256d: ProofOfWork {
    /// The kernel in use.
    package let kernel: KernelVariant

    /// Every kernel; the portable one last.
    package static let variants: [KernelVariant] = [
        KernelVariant(name: "sha256d-avx512", summary: "16 nonces at once, AVX-512 (C kernel)",
                      isAvailable: nm_cpu_has_avx512f() != 0) { SHA256dLaneScanner(width: .avx512) },
        KernelVariant(name: "sha256d-shani", summary: "6 nonces side by side, SHA extensions (C kernel)",
                      isAvailable: nm_cpu_has_sha() != 0) { SHA256dLaneScanner(width: .shani) },
        KernelVariant(name: "sha256d-shani2", summary: "2 nonces side by side, SHA extensions (C kernel)",
                      isAvailable: nm_cpu_has_sha() != 0) { SHA256dLaneScanner(width: .shani2) },
        KernelVariant(name: "sha256d-avx2", summary: "8 nonces at once, AVX2 (C kernel)",
                      isAvailable: nm_cpu_has_avx2() != 0) { SHA256dLaneScanner(width: .avx2) },
        KernelVariant(name: "sha256d-scalar", summary: "portable Swift, one nonce at a time with a midstate",
                      isAvailable: true) { SHA256dScanner() },
    ]

    /// Whether the kernel was chosen by calibration (and may be reviewed while mining), not by name.
    private let calibrated: Bool

    /// The fastest kernel that is available and passes its self-test (chosen once per process).
    public init() {
        kernel = Self.automatic
        calibrated = true
    }

    /// The kernel `init()` uses: ~65,000 nonces per calibration run (a few milliseconds on vector kernels).
    private static var automatic: KernelVariant { calibration.chosen }

    /// How the automatic kernel was chosen (measured once per process, on first use).
    package static let calibration = KernelVariant.calibrate(variants, calibrationNonces: 1 << 16, passing: selfTest)

    /// A named kernel; throws when it is unknown, unavailable here, or fails its self-test.
    package init(kernel name: String) throws(KernelSelectionError) {
        kernel = try KernelVariant.named(name, in: Self.variants, passing: Self.selfTest)
        calibrated = false
    }

    /// Known answers: the real Bitcoin genesis nonce, and agreement with the reference on a sample header
    /// across a range that is not a multiple of the lane count.
    package static func selfTest(_ variant: KernelVariant) -> Bool {
        let scanner = variant.makeScanner()
        let genesis = Hex.decode("0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c")!
        scanner.load(header: genesis)
        guard let one = Target(difficulty: 1), scanner.scan(from: 0x7C2B_AC1D - 1000, count: 2000, target: one).nonce == 0x7C2B_AC1D else {
            return false
        }
        return KernelSelfTest.passes(scanner, algorithm: SHA256d.reference, header: KernelSelfTest.sampleHeader, start: 0xFFFF_FF00, width: 77)
    }

    /// The reference algorithm (scalar kernel) without a self-test, for checking other kernels.
    static let reference = SHA256d(variant: variants[variants.count - 1])

    private init(variant: KernelVariant, calibrated: Bool = false) {
        kernel = variant
        self.calibrated = calibrated
    }

    /// The calibration's other leading kernel, when the kernel in use was calibrated.
    public var runnerUp: (any ProofOfWork)? {
        guard calibrated, let other = Self.calibration.runnerUp(to: kernel) else { return nil }
        return SHA256d(variant: other, calibrated: true)
    }

    /// `sha256d`.
    public var name: String { "sha256d" }
    /// SHA256d defines difficulty 1.
    public var difficultyScale: Double { 1 }
    /// About 5 ms of hashing for the portable kernel.
    public var batchSize: UInt32 { 16_384 }

    /// `SHA256(SHA256(header))`.
    public func hash(header: [UInt8]) -> [UInt8] { SHA256.doubleHash(header) }

    /// The chosen kernel's name.
    public var kernelName: String { kernel.name }

    /// A scanner of the chosen kernel.
    public func makeScanner() -> any NonceScanner { kernel.makeScanner() }
}

/// Scans nonces with SHA256d using a midstate: the header's first 64 bytes are compressed once per
/// header; each nonce then costs one compression of the last 16 bytes and one of the 32-byte digest.
public final class SHA256dScanner: NonceScanner {
    /// 8 words midstate, 8 words working state, 64 words schedule, 16 words tail block template,
    /// 8 words initial hash value.
    private let memory = UnsafeMutablePointer<UInt32>.allocate(capacity: 104)
    private var midstate: UnsafeMutablePointer<UInt32> { memory }
    private var state: UnsafeMutablePointer<UInt32> { memory + 8 }
    private var schedule: UnsafeMutablePointer<UInt32> { memory + 16 }
    private var tail: UnsafeMutablePointer<UInt32> { memory + 80 }
    private var initial: UnsafeMutablePointer<UInt32> { memory + 96 }

    /// Creates a scanner with its scratch memory.
    public init() {
        memory.initialize(repeating: 0, count: 104)
        for i in 0..<8 { initial[i] = SHA256.initialState[i] }
    }

    deinit { memory.deallocate() }

    /// Computes the midstate and the second block's template.
    public func load(header: [UInt8]) {
        precondition(header.count == 80, "a block header is 80 bytes")
        header.withUnsafeBufferPointer { bytes in
            SHA256.midstate(of: bytes.baseAddress!, into: midstate, schedule: schedule)
            SHA256.loadWords(bytes.baseAddress! + 64, count: 4, into: tail)
        }
        tail[4] = 0x8000_0000
        for i in 5..<15 { tail[i] = 0 }
        tail[15] = 640
    }

    /// Scans nonces; the last state word is checked first so most nonces end after one compare.
    public func scan(from start: UInt32, count: UInt32, target: Target) -> ScanResult {
        let total = Self.clamp(start: start, count: count)
        let topLimb = target.limb(7)
        var done: UInt32 = 0
        while done < total {
            let nonce = start &+ done
            done += 1
            // First hash: midstate + tail block with the nonce (header bytes are LE, SHA words BE).
            for i in 0..<8 { state[i] = midstate[i] }
            for i in 0..<16 { schedule[i] = tail[i] }
            schedule[3] = nonce.byteSwapped
            SHA256.compress(state, schedule: schedule)
            // Second hash: the 32-byte digest, padded.
            for i in 0..<8 { schedule[i] = state[i]; state[i] = initial[i] }
            schedule[8] = 0x8000_0000
            for i in 9..<15 { schedule[i] = 0 }
            schedule[15] = 256
            SHA256.compress(state, schedule: schedule)
            // Hash byte 28..<32 is the most significant limb; digest words are big-endian.
            let top = state[7].byteSwapped
            if top > topLimb { continue }
            if meets(target) { return ScanResult(hashesDone: done, nonce: nonce, hash: SHA256.digestBytes(state)) }
        }
        return ScanResult(hashesDone: done, nonce: nil)
    }

    private func meets(_ target: Target) -> Bool {
        for i in stride(from: 7, through: 0, by: -1) {
            let word = state[i].byteSwapped
            let limb = target.limb(i)
            if word != limb { return word < limb }
        }
        return true
    }
}
