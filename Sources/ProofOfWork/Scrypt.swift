import CHashKernels

/// scrypt (RFC 7914) and Litecoin's proof of work, scrypt(N=1024, r=1, p=1) of the header with the header
/// as its own salt, 32 bytes out.
///
/// Scanning uses the fastest kernel this CPU supports that passes its self-test (see ``variants``).
public struct Scrypt: ProofOfWork {
    /// The kernel in use.
    package let kernel: KernelVariant

    /// Every kernel; the portable one last.
    package static let variants: [KernelVariant] = [
        KernelVariant(name: "scrypt-avx512x2", summary: "2 x 16 hashes interleaved, AVX-512 (C kernel), 4 MiB scratchpad per thread",
                      isAvailable: nm_cpu_has_avx512f() != 0) { ScryptLaneScanner(width: .avx512x2) },
        KernelVariant(name: "scrypt-avx512", summary: "16 hashes at once, AVX-512 (C kernel), 2 MiB scratchpad per thread",
                      isAvailable: nm_cpu_has_avx512f() != 0) { ScryptLaneScanner(width: .avx512) },
        KernelVariant(name: "scrypt-avx2x2", summary: "2 x 8 hashes interleaved, AVX2 (C kernel), 2 MiB scratchpad per thread",
                      isAvailable: nm_cpu_has_avx2() != 0) { ScryptLaneScanner(width: .avx2x2) },
        KernelVariant(name: "scrypt-avx2", summary: "8 hashes at once, AVX2 (C kernel), 1 MiB scratchpad per thread",
                      isAvailable: nm_cpu_has_avx2() != 0) { ScryptLaneScanner(width: .avx2) },
        KernelVariant(name: "scrypt-scalar", summary: "portable Swift, allocation-free, 128 KiB scratchpad per thread",
                      isAvailable: true) { ScryptScanner() },
    ]

    /// Whether the kernel was chosen by calibration (and may be reviewed while mining), not by name.
    private let calibrated: Bool

    /// The fastest kernel that is available and passes its self-test (chosen once per process).
    public init() {
        kernel = Self.automatic
        calibrated = true
    }

    /// The kernel `init()` uses: 256 hashes per calibration run (a few milliseconds on vector kernels).
    private static var automatic: KernelVariant { calibration.chosen }

    /// How the automatic kernel was chosen (measured once per process, on first use).
    package static let calibration = KernelVariant.calibrate(variants, calibrationNonces: 256, passing: selfTest)

    /// A named kernel; throws when it is unknown, unavailable here, or fails its self-test.
    package init(kernel name: String) throws(KernelSelectionError) {
        kernel = try KernelVariant.named(name, in: Self.variants, passing: Self.selfTest)
        calibrated = false
    }

    private init(variant: KernelVariant, calibrated: Bool = false) {
        kernel = variant
        self.calibrated = calibrated
    }

    /// The calibration's other leading kernel, when the kernel in use was calibrated.
    public var runnerUp: (any ProofOfWork)? {
        guard calibrated, let other = Self.calibration.runnerUp(to: kernel) else { return nil }
        return Scrypt(variant: other, calibrated: true)
    }

    /// The reference algorithm (scalar kernel), for checking other kernels.
    static let reference = Scrypt(variant: variants[variants.count - 1])

    /// Known answers: the real Litecoin genesis nonce, and agreement with the reference on a sample header
    /// across a range that is not a multiple of the lane count.
    package static func selfTest(_ variant: KernelVariant) -> Bool {
        let scanner = variant.makeScanner()
        let genesis = Hex.decode("010000000000000000000000000000000000000000000000000000000000000000000000d9ced4ed1130f7b7faad9be25323ffafa33232a17c3edf6cfd97bee6bafbdd97b9aa8e4ef0ff0f1ecd513f7c")!
        scanner.load(header: genesis)
        guard let target = Target(difficulty: 0.000244140625, scale: 65_536),
              scanner.scan(from: 0x7C3F_51CD - 5, count: 10, target: target).nonce == 0x7C3F_51CD else { return false }
        return KernelSelfTest.passes(scanner, algorithm: Scrypt.reference, header: KernelSelfTest.sampleHeader, start: 0xFFFF_FFE0, width: 21)
    }

    /// The chosen kernel's name.
    public var kernelName: String { kernel.name }

    /// `scrypt`.
    public var name: String { "scrypt" }
    /// Scrypt pools quote difficulty in units of 2^16: a target 65,536 times SHA256d's.
    public var difficultyScale: Double { 65_536 }
    /// A few milliseconds of hashing: 16 nonces for the scalar kernel, 64 for the lane kernels.
    public var batchSize: UInt32 { kernel.name == "scrypt-scalar" ? 16 : 64 }

    /// scrypt(header, header, 1024, 1, 1, 32) with the plain implementation.
    public func hash(header: [UInt8]) -> [UInt8] {
        Scrypt.derive(password: header, salt: header, n: 1024, r: 1, p: 1, dkLen: 32)
    }

    /// A scanner of the chosen kernel.
    public func makeScanner() -> any NonceScanner { kernel.makeScanner() }

    /// The scrypt key derivation function of RFC 7914 for any valid parameters (plain, allocating).
    ///
    /// - Precondition: `n` is a power of two greater than 1; `r` and `p` are positive.
    public static func derive(password: [UInt8], salt: [UInt8], n: Int, r: Int, p: Int, dkLen: Int) -> [UInt8] {
        precondition(n > 1 && n & (n - 1) == 0 && r > 0 && p > 0, "invalid scrypt parameters")
        let blockBytes = 128 * r
        var b = HMACSHA256.pbkdf2(password: password, salt: salt, iterations: 1, dkLen: p * blockBytes)
        for i in 0..<p {
            let chunk = Array(b[(i * blockBytes)..<((i + 1) * blockBytes)])
            let mixed = roMix(chunk, n: n, r: r)
            b.replaceSubrange((i * blockBytes)..<((i + 1) * blockBytes), with: mixed)
        }
        return HMACSHA256.pbkdf2(password: password, salt: b, iterations: 1, dkLen: dkLen)
    }

    /// scryptROMix (RFC 7914 section 5) on `128·r` bytes.
    public static func roMix(_ block: [UInt8], n: Int, r: Int) -> [UInt8] {
        var x = words(block)
        var v = [[UInt32]]()
        v.reserveCapacity(n)
        for _ in 0..<n {
            v.append(x)
            x = blockMix(x, r: r)
        }
        for _ in 0..<n {
            let j = Int(x[(2 * r - 1) * 16] & UInt32(n - 1))
            for k in 0..<x.count { x[k] ^= v[j][k] }
            x = blockMix(x, r: r)
        }
        return bytes(x)
    }

    /// scryptBlockMix (RFC 7914 section 4) on `32·r` little-endian words.
    public static func blockMix(_ b: [UInt32], r: Int) -> [UInt32] {
        var x = Array(b[((2 * r - 1) * 16)..<(2 * r * 16)])
        var y = [[UInt32]]()
        for i in 0..<(2 * r) {
            for k in 0..<16 { x[k] ^= b[i * 16 + k] }
            x = salsa20_8(x)
            y.append(x)
        }
        var out = [UInt32]()
        for i in stride(from: 0, to: 2 * r, by: 2) { out += y[i] }
        for i in stride(from: 1, to: 2 * r, by: 2) { out += y[i] }
        return out
    }

    /// The Salsa20/8 core (RFC 7914 section 3) on 16 words.
    public static func salsa20_8(_ input: [UInt32]) -> [UInt32] {
        var x = input
        func rotl(_ v: UInt32, _ n: UInt32) -> UInt32 { (v << n) | (v >> (32 - n)) }
        for _ in 0..<4 {
            x[4] ^= rotl(x[0] &+ x[12], 7); x[8] ^= rotl(x[4] &+ x[0], 9)
            x[12] ^= rotl(x[8] &+ x[4], 13); x[0] ^= rotl(x[12] &+ x[8], 18)
            x[9] ^= rotl(x[5] &+ x[1], 7); x[13] ^= rotl(x[9] &+ x[5], 9)
            x[1] ^= rotl(x[13] &+ x[9], 13); x[5] ^= rotl(x[1] &+ x[13], 18)
            x[14] ^= rotl(x[10] &+ x[6], 7); x[2] ^= rotl(x[14] &+ x[10], 9)
            x[6] ^= rotl(x[2] &+ x[14], 13); x[10] ^= rotl(x[6] &+ x[2], 18)
            x[3] ^= rotl(x[15] &+ x[11], 7); x[7] ^= rotl(x[3] &+ x[15], 9)
            x[11] ^= rotl(x[7] &+ x[3], 13); x[15] ^= rotl(x[11] &+ x[7], 18)
            x[1] ^= rotl(x[0] &+ x[3], 7); x[2] ^= rotl(x[1] &+ x[0], 9)
            x[3] ^= rotl(x[2] &+ x[1], 13); x[0] ^= rotl(x[3] &+ x[2], 18)
            x[6] ^= rotl(x[5] &+ x[4], 7); x[7] ^= rotl(x[6] &+ x[5], 9)
            x[4] ^= rotl(x[7] &+ x[6], 13); x[5] ^= rotl(x[4] &+ x[7], 18)
            x[11] ^= rotl(x[10] &+ x[9], 7); x[8] ^= rotl(x[11] &+ x[10], 9)
            x[9] ^= rotl(x[8] &+ x[11], 13); x[10] ^= rotl(x[9] &+ x[8], 18)
            x[12] ^= rotl(x[15] &+ x[14], 7); x[13] ^= rotl(x[12] &+ x[15], 9)
            x[14] ^= rotl(x[13] &+ x[12], 13); x[15] ^= rotl(x[14] &+ x[13], 18)
        }
        return zip(x, input).map { $0 &+ $1 }
    }

    static func words(_ bytes: [UInt8]) -> [UInt32] {
        stride(from: 0, to: bytes.count, by: 4).map { (i: Int) -> UInt32 in
            let low = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8
            let high = UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
            return low | high
        }
    }

    static func bytes(_ words: [UInt32]) -> [UInt8] {
        words.flatMap { (w: UInt32) -> [UInt8] in
            [UInt8(w & 0xFF), UInt8(w >> 8 & 0xFF), UInt8(w >> 16 & 0xFF), UInt8(w >> 24)]
        }
    }
}
