import CHashKernels

/// SHA256d in the C kernels of `CHashKernels`: 16 nonces at once (AVX-512), 8 (AVX2), or six or two side by
/// side on the SHA extensions.
///
/// The C kernel returns the nonces whose hash's most significant limb is within the target's; each is
/// then checked against the whole target here, so the answer is exactly the scalar scanner's.
package final class SHA256dLaneScanner: NonceScanner {
    /// The instruction set.
    package enum Width: Sendable {
        /// 16 lanes of AVX-512.
        case avx512
        /// 8 lanes of AVX2.
        case avx2
        /// Six interleaved streams on the SHA extensions (SHA-NI).
        case shani
        /// Two interleaved streams on the SHA extensions.
        case shani2
    }

    private let width: Width
    /// The midstate (8 words) and the header's words 16..18.
    private let words = UnsafeMutablePointer<UInt32>.allocate(capacity: 11)
    private let loop = CandidateScan(exact: SHA256dScanner(), chunk: 4096)

    /// A scanner for `width`.
    package init(width: Width) {
        self.width = width
        words.initialize(repeating: 0, count: 11)
    }

    deinit {
        words.deallocate()
        loop.deallocate()
    }

    /// Computes the midstate and the tail words.
    package func load(header: [UInt8]) {
        precondition(header.count == 80, "a block header is 80 bytes")
        loop.exact.load(header: header)
        let schedule = UnsafeMutablePointer<UInt32>.allocate(capacity: 64)
        defer { schedule.deallocate() }
        header.withUnsafeBufferPointer { bytes in
            SHA256.midstate(of: bytes.baseAddress!, into: words, schedule: schedule)
            SHA256.loadWords(bytes.baseAddress! + 64, count: 3, into: words + 8)
        }
    }

    /// Scans in chunks; candidates are confirmed with the exact scalar hash.
    package func scan(from start: UInt32, count: UInt32, target: Target) -> ScanResult {
        let (words, candidates, capacity) = (words, loop.candidates, CandidateScan<SHA256dScanner>.capacity)
        return switch width {
        case .avx512:
            loop.scan(from: start, count: count, target: target) { nm_sha256d_scan_avx512(words, words + 8, $0, $1, $2, candidates, capacity) }
        case .avx2:
            loop.scan(from: start, count: count, target: target) { nm_sha256d_scan_avx2(words, words + 8, $0, $1, $2, candidates, capacity) }
        case .shani:
            loop.scan(from: start, count: count, target: target) { nm_sha256d_scan_shani(words, words + 8, $0, $1, $2, candidates, capacity) }
        case .shani2:
            loop.scan(from: start, count: count, target: target) { nm_sha256d_scan_shani2(words, words + 8, $0, $1, $2, candidates, capacity) }
        }
    }
}
