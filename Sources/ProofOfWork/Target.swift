/// A 256-bit share or block target: a hash meets it when the hash, read as a little-endian number, is at
/// most the target.
///
/// Byte order, once and for all: a hash function returns 32 bytes; mining reads them as one unsigned
/// 256-bit number whose *least* significant byte is byte 0 (little-endian). Block explorers print the
/// same number most-significant-first, which is why their hashes look byte-reversed and start with zeros.
/// ``Target`` stores the number as eight 32-bit limbs, limb 0 least significant.
public struct Target: Sendable, Hashable, CustomStringConvertible {
    // Plain scalar storage: SIMD values kept alive across suspension points in async code tripped a
    // Swift 6.3 task-allocator crash ("freed pointer was not the last allocation").
    private var l0, l1, l2, l3, l4, l5, l6, l7: UInt32

    /// Limbs of the 256-bit number, least significant first.
    public var limbs: SIMD8<UInt32> {
        get { SIMD8(l0, l1, l2, l3, l4, l5, l6, l7) }
        set {
            (l0, l1, l2, l3) = (newValue[0], newValue[1], newValue[2], newValue[3])
            (l4, l5, l6, l7) = (newValue[4], newValue[5], newValue[6], newValue[7])
        }
    }

    /// Limb `index` (0 least significant).
    @inline(__always)
    public func limb(_ index: Int) -> UInt32 {
        switch index {
        case 0: l0
        case 1: l1
        case 2: l2
        case 3: l3
        case 4: l4
        case 5: l5
        case 6: l6
        default: l7
        }
    }

    /// The largest target (every hash meets it).
    public static let maximum = Target(limbs: SIMD8(repeating: .max))

    /// SHA256d's difficulty-1 target, 0x00000000FFFF0000…0000 = 0xFFFF · 2^208 (Bitcoin's "pdiff 1").
    public static let difficultyOne: Target = {
        var limbs = SIMD8<UInt32>(repeating: 0)
        limbs[6] = 0xFFFF_0000
        return Target(limbs: limbs)
    }()

    /// Creates a target from its limbs (least significant first).
    public init(limbs: SIMD8<UInt32>) {
        (l0, l1, l2, l3) = (limbs[0], limbs[1], limbs[2], limbs[3])
        (l4, l5, l6, l7) = (limbs[4], limbs[5], limbs[6], limbs[7])
    }

    /// Creates a target from 32 bytes in hash order (little-endian: byte 0 least significant).
    public init?(littleEndianBytes bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        var limbs = SIMD8<UInt32>(repeating: 0)
        for i in 0..<8 {
            limbs[i] = UInt32(bytes[4 * i]) | UInt32(bytes[4 * i + 1]) << 8
                | UInt32(bytes[4 * i + 2]) << 16 | UInt32(bytes[4 * i + 3]) << 24
        }
        self.init(limbs: limbs)
    }

    /// The target for a pool difficulty.
    ///
    /// `target = difficultyOne × scale / difficulty`, computed exactly from the `Double`'s binary value and
    /// rounded down, clamped to ``maximum``. SHA256d pools use `scale` 1; scrypt pools quote the same
    /// difficulty numbers for a target 65,536 times larger, so they use `scale` 65,536.
    /// Returns `nil` when the difficulty is not a positive finite number.
    public init?(difficulty: Double, scale: Double = 1) {
        guard difficulty.isFinite, difficulty > 0, scale.isFinite, scale > 0 else { return nil }
        let effective = difficulty / scale
        guard effective.isNormal else {
            if effective == 0 { self = .maximum; return }
            return nil
        }
        // effective = m · 2^e with m a 53-bit integer; target = 0xFFFF · 2^(208 − e) / m.
        let mantissa = effective.significandBitPattern | (1 << 52)
        let exponent = Int(effective.exponent) - 52
        let shift = 208 - exponent
        if shift > 300 { self = .maximum; return }
        // Numerator as six 64-bit limbs (384 bits), least significant first.
        var numerator = [UInt64](repeating: 0, count: 6)
        if shift >= 0 {
            let limb = shift / 64, bit = shift % 64
            numerator[limb] = 0xFFFF << UInt64(bit)
            if bit > 48, limb + 1 < 6 { numerator[limb + 1] = 0xFFFF >> UInt64(64 - bit) }
        } else if -shift < 16 {
            numerator[0] = 0xFFFF >> UInt64(-shift)
        }
        var quotient = [UInt64](repeating: 0, count: 6)
        var remainder: UInt64 = 0
        for index in stride(from: 5, through: 0, by: -1) {
            let (q, r) = mantissa.dividingFullWidth((high: remainder, low: numerator[index]))
            quotient[index] = q
            remainder = r
        }
        if quotient[4] != 0 || quotient[5] != 0 { self = .maximum; return }
        var limbs = SIMD8<UInt32>(repeating: 0)
        for i in 0..<4 {
            limbs[2 * i] = UInt32(truncatingIfNeeded: quotient[i])
            limbs[2 * i + 1] = UInt32(truncatingIfNeeded: quotient[i] >> 32)
        }
        self.init(limbs: limbs)
    }

    /// Whether a 32-byte hash, read little-endian, is at most this target.
    public func isMet(byHash hash: [UInt8]) -> Bool {
        guard hash.count == 32 else { return false }
        return hash.withUnsafeBufferPointer { isMet(byHash: $0.baseAddress!) }
    }

    /// Whether the 32 bytes at `hash`, read little-endian, are at most this target.
    @inline(__always)
    public func isMet(byHash hash: UnsafePointer<UInt8>) -> Bool {
        for i in stride(from: 7, through: 0, by: -1) {
            let word = UInt32(hash[4 * i]) | UInt32(hash[4 * i + 1]) << 8
                | UInt32(hash[4 * i + 2]) << 16 | UInt32(hash[4 * i + 3]) << 24
            let limb = limb(i)
            if word != limb { return word < limb }
        }
        return true
    }

    /// The number as a `Double` (rounded).
    public var doubleValue: Double {
        var value = 0.0
        for i in stride(from: 7, through: 0, by: -1) { value = value * 4_294_967_296.0 + Double(limb(i)) }
        return value
    }

    /// The difficulty this target stands for at `scale` (the inverse of ``init(difficulty:scale:)``).
    public func difficulty(scale: Double = 1) -> Double {
        Target.difficultyOne.doubleValue * scale / doubleValue
    }

    /// The difficulty a hash achieves: `difficultyOne × scale / hash`. The share difficulty pools report.
    public static func difficulty(ofHash hash: [UInt8], scale: Double = 1) -> Double {
        guard let value = Target(littleEndianBytes: hash) else { return 0 }
        return value.doubleValue == 0 ? .infinity : value.difficulty(scale: scale)
    }

    /// The smaller (stricter) of two targets.
    public static func stricter(_ a: Target, _ b: Target) -> Target { a.isLess(than: b) ? a : b }

    /// Numeric comparison of two targets.
    public func isLess(than other: Target) -> Bool {
        for i in stride(from: 7, through: 0, by: -1) where limb(i) != other.limb(i) {
            return limb(i) < other.limb(i)
        }
        return false
    }

    /// 64 hex digits, most significant first (block-explorer order).
    public var hex: String {
        var bytes = [UInt8]()
        for i in stride(from: 7, through: 0, by: -1) {
            let limb = limb(i)
            bytes += [UInt8(limb >> 24), UInt8(limb >> 16 & 0xFF), UInt8(limb >> 8 & 0xFF), UInt8(limb & 0xFF)]
        }
        return Hex.encode(bytes)
    }

    /// Same as ``hex``.
    public var description: String { hex }
}
