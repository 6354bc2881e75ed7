import CHashKernels

/// scrypt(1024, 1, 1) on 8 (AVX2) or 16 (AVX-512) nonces at once, in the C kernels of `CHashKernels`.
/// Candidates are confirmed with the scalar ``ScryptScanner`` against the whole target.
public final class ScryptLaneScanner: NonceScanner {
    private let width: SHA256dLaneScanner.Width
    private let lanes: Int
    /// 19 header words and 8 midstate words.
    private let words = UnsafeMutablePointer<UInt32>.allocate(capacity: 27)
    private let scratchpad: UnsafeMutableRawPointer
    private let candidates = UnsafeMutablePointer<UInt32>.allocate(capacity: Int(ScryptLaneScanner.maximumCandidates))
    private let exact = ScryptScanner()
    private static let maximumCandidates: UInt32 = 64

    /// A scanner for `width`, with its 128 KiB per lane scratchpad.
    public init(width: SHA256dLaneScanner.Width) {
        self.width = width
        lanes = width == .avx512 ? 16 : 8
        scratchpad = UnsafeMutableRawPointer.allocate(byteCount: 128 * 1024 * lanes, alignment: 64)
        scratchpad.initializeMemory(as: UInt8.self, repeating: 0, count: 128 * 1024 * lanes)
        words.initialize(repeating: 0, count: 27)
        candidates.initialize(repeating: 0, count: Int(Self.maximumCandidates))
    }

    deinit {
        words.deallocate()
        scratchpad.deallocate()
        candidates.deallocate()
    }

    /// Loads the header words and the midstate of its first 64 bytes.
    public func load(header: [UInt8]) {
        precondition(header.count == 80, "a block header is 80 bytes")
        exact.load(header: header)
        let schedule = UnsafeMutablePointer<UInt32>.allocate(capacity: 64)
        defer { schedule.deallocate() }
        header.withUnsafeBufferPointer { bytes in
            for i in 0..<19 {
                let b = bytes.baseAddress! + 4 * i
                words[i] = UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
            }
        }
        for i in 0..<8 { words[19 + i] = SHA256.initialState[i] }
        for i in 0..<16 { schedule[i] = words[i] }
        SHA256.compress(words + 19, schedule: schedule)
    }

    /// Scans; candidates are confirmed with the scalar kernel.
    public func scan(from start: UInt32, count: UInt32, target: Target) -> ScanResult {
        let total = Self.clamp(start: start, count: count)
        let top = target.limb(7)
        var done: UInt32 = 0
        while done < total {
            let position = start &+ done
            let length = min(UInt32(lanes * 4), total - done)
            let found = kernel(position, length, top)
            let stored = min(found, Self.maximumCandidates)
            for index in 0..<Int(stored) {
                let nonce = candidates[index]
                if exact.scan(from: nonce, count: 1, target: target).nonce != nil {
                    return ScanResult(hashesDone: nonce &- start &+ 1, nonce: nonce)
                }
            }
            done += found > Self.maximumCandidates ? candidates[Int(stored) - 1] &- position &+ 1 : length
        }
        return ScanResult(hashesDone: done, nonce: nil)
    }

    @inline(__always)
    private func kernel(_ start: UInt32, _ count: UInt32, _ top: UInt32) -> UInt32 {
        let pad = scratchpad.assumingMemoryBound(to: UInt32.self)
        return switch width {
        case .avx512: nm_scrypt_scan_avx512(words, words + 19, start, count, top, pad, candidates, Self.maximumCandidates)
        case .avx2: nm_scrypt_scan_avx2(words, words + 19, start, count, top, pad, candidates, Self.maximumCandidates)
        }
    }
}
