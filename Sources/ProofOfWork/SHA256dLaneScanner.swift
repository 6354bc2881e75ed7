import CHashKernels

/// SHA256d on 8 (AVX2) or 16 (AVX-512) nonces at once, in the C kernels of `CHashKernels`.
///
/// The C kernel returns the nonces whose hash's most significant limb is within the target's; each is
/// then checked against the whole target here, so the answer is exactly the scalar scanner's.
public final class SHA256dLaneScanner: NonceScanner {
    /// The instruction set.
    public enum Width: Sendable {
        /// 16 lanes of AVX-512.
        case avx512
        /// 8 lanes of AVX2.
        case avx2
    }

    private let width: Width
    private let words = UnsafeMutablePointer<UInt32>.allocate(capacity: 11)
    private let candidates = UnsafeMutablePointer<UInt32>.allocate(capacity: Int(SHA256dLaneScanner.maximumCandidates))
    private let exact = SHA256dScanner()
    private static let maximumCandidates: UInt32 = 64
    private static let chunk: UInt32 = 4096

    /// A scanner for `width`.
    public init(width: Width) {
        self.width = width
        words.initialize(repeating: 0, count: 11)
        candidates.initialize(repeating: 0, count: Int(Self.maximumCandidates))
    }

    deinit {
        words.deallocate()
        candidates.deallocate()
    }

    /// Computes the midstate and the tail words.
    public func load(header: [UInt8]) {
        precondition(header.count == 80, "a block header is 80 bytes")
        exact.load(header: header)
        let schedule = UnsafeMutablePointer<UInt32>.allocate(capacity: 64)
        defer { schedule.deallocate() }
        header.withUnsafeBufferPointer { bytes in
            for i in 0..<8 { words[i] = SHA256.initialState[i] }
            SHA256.loadBlock(bytes.baseAddress!, into: schedule)
            SHA256.compress(words, schedule: schedule)
            for i in 0..<3 {
                let b = bytes.baseAddress! + 64 + 4 * i
                words[8 + i] = UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
            }
        }
    }

    /// Scans in chunks; candidates are confirmed with the exact scalar hash.
    public func scan(from start: UInt32, count: UInt32, target: Target) -> ScanResult {
        let total = Self.clamp(start: start, count: count)
        let top = target.limb(7)
        var done: UInt32 = 0
        while done < total {
            let position = start &+ done
            let length = min(Self.chunk, total - done)
            let found = kernel(position, length, top)
            let stored = min(found, Self.maximumCandidates)
            for index in 0..<Int(stored) {
                let nonce = candidates[index]
                if exact.scan(from: nonce, count: 1, target: target).nonce != nil {
                    return ScanResult(hashesDone: nonce &- start &+ 1, nonce: nonce)
                }
            }
            if found > Self.maximumCandidates {
                // More candidates than the buffer holds: continue right after the last one checked.
                done = candidates[Int(stored) - 1] &- start &+ 1
            } else {
                done += length
            }
        }
        return ScanResult(hashesDone: done, nonce: nil)
    }

    @inline(__always)
    private func kernel(_ start: UInt32, _ count: UInt32, _ top: UInt32) -> UInt32 {
        switch width {
        case .avx512: nm_sha256d_scan_avx512(words, words + 8, start, count, top, candidates, Self.maximumCandidates)
        case .avx2: nm_sha256d_scan_avx2(words, words + 8, start, count, top, candidates, Self.maximumCandidates)
        }
    }
}
