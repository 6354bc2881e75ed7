import CHashKernels

/// scrypt(1024, 1, 1) on 8 (AVX2) or 16 (AVX-512) nonces at once, or twice that in two interleaved groups,
/// in the C kernels of `CHashKernels`.
/// Candidates are confirmed with the scalar ``ScryptScanner`` against the whole target.
package final class ScryptLaneScanner: NonceScanner {
    /// The instruction set.
    package enum Width: Sendable {
        /// 16 lanes of AVX-512 (2 MiB scratchpad).
        case avx512
        /// 8 lanes of AVX2 (1 MiB scratchpad).
        case avx2
        /// Two interleaved groups of 16 AVX-512 lanes (4 MiB scratchpad).
        case avx512x2
        /// Two interleaved groups of 8 AVX2 lanes (2 MiB scratchpad).
        case avx2x2

        /// Hashes computed at once.
        package var lanes: Int {
            switch self {
            case .avx512: 16
            case .avx2: 8
            case .avx512x2: 32
            case .avx2x2: 16
            }
        }
    }

    private let width: Width
    /// 19 header words and 8 midstate words.
    private let words = UnsafeMutablePointer<UInt32>.allocate(capacity: 27)
    private let scratchpad: UnsafeMutableRawPointer
    private let loop: CandidateScan<ScryptScanner>

    /// A scanner for `width`, with its 128 KiB per lane scratchpad.
    package init(width: Width) {
        self.width = width
        scratchpad = UnsafeMutableRawPointer.allocate(byteCount: 128 * 1024 * width.lanes, alignment: 64)
        scratchpad.initializeMemory(as: UInt8.self, repeating: 0, count: 128 * 1024 * width.lanes)
        words.initialize(repeating: 0, count: 27)
        loop = CandidateScan(exact: ScryptScanner(), chunk: UInt32(width.lanes * 4))
    }

    deinit {
        words.deallocate()
        scratchpad.deallocate()
        loop.deallocate()
    }

    /// Loads the header words and the midstate of its first 64 bytes.
    package func load(header: [UInt8]) {
        precondition(header.count == 80, "a block header is 80 bytes")
        loop.exact.load(header: header)
        let schedule = UnsafeMutablePointer<UInt32>.allocate(capacity: 64)
        defer { schedule.deallocate() }
        header.withUnsafeBufferPointer { bytes in
            SHA256.loadWords(bytes.baseAddress!, count: 19, into: words)
            SHA256.midstate(of: bytes.baseAddress!, into: words + 19, schedule: schedule)
        }
    }

    /// Scans; candidates are confirmed with the scalar kernel.
    package func scan(from start: UInt32, count: UInt32, target: Target) -> ScanResult {
        let (words, candidates, capacity) = (words, loop.candidates, CandidateScan<ScryptScanner>.capacity)
        let pad = scratchpad.assumingMemoryBound(to: UInt32.self)
        return switch width {
        case .avx512:
            loop.scan(from: start, count: count, target: target) { nm_scrypt_scan_avx512(words, words + 19, $0, $1, $2, pad, candidates, capacity) }
        case .avx2:
            loop.scan(from: start, count: count, target: target) { nm_scrypt_scan_avx2(words, words + 19, $0, $1, $2, pad, candidates, capacity) }
        case .avx512x2:
            loop.scan(from: start, count: count, target: target) { nm_scrypt_scan_avx512x2(words, words + 19, $0, $1, $2, pad, candidates, capacity) }
        case .avx2x2:
            loop.scan(from: start, count: count, target: target) { nm_scrypt_scan_avx2x2(words, words + 19, $0, $1, $2, pad, candidates, capacity) }
        }
    }
}
