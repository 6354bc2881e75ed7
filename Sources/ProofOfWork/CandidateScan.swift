/// The scan loop shared by the C kernels: a kernel reports the nonces whose hash's most significant limb is
/// within the target's (its candidates); each is then confirmed here against the whole target by the exact
/// scalar scanner, so a lane scanner answers exactly what the scalar one would.
struct CandidateScan<Exact: NonceScanner> {
    /// How many candidates one kernel call may store.
    static var capacity: UInt32 { 64 }

    /// The buffer the kernel writes candidates into.
    let candidates = UnsafeMutablePointer<UInt32>.allocate(capacity: Int(Self.capacity))
    /// The scalar scanner that confirms candidates (loaded with the same header).
    let exact: Exact
    /// Nonces per kernel call.
    let chunk: UInt32

    init(exact: Exact, chunk: UInt32) {
        self.exact = exact
        self.chunk = chunk
        candidates.initialize(repeating: 0, count: Int(Self.capacity))
    }

    /// Frees the candidate buffer.
    func deallocate() { candidates.deallocate() }

    /// Scans `count` nonces from `start` (clamped at 2^32) in kernel calls of `chunk` nonces.
    /// `kernel(start, count, topLimb)` hashes a range and returns how many candidates it found (it stores up
    /// to ``capacity`` of them, in increasing order, in ``candidates``).
    @inline(__always)
    func scan(from start: UInt32, count: UInt32, target: Target,
              kernel: (_ start: UInt32, _ count: UInt32, _ topLimb: UInt32) -> UInt32) -> ScanResult {
        let total = Exact.clamp(start: start, count: count)
        let top = target.limb(7)
        var done: UInt32 = 0
        while done < total {
            let position = start &+ done
            let length = min(chunk, total - done)
            let found = kernel(position, length, top)
            let stored = min(found, Self.capacity)
            for index in 0..<Int(stored) {
                let nonce = candidates[index]
                let confirmed = exact.scan(from: nonce, count: 1, target: target)
                if confirmed.nonce != nil {
                    return ScanResult(hashesDone: nonce &- start &+ 1, nonce: nonce, hash: confirmed.hash)
                }
            }
            // More candidates than the buffer holds: continue right after the last one checked.
            done += found > Self.capacity ? candidates[Int(stored) - 1] &- position &+ 1 : length
        }
        return ScanResult(hashesDone: done, nonce: nil)
    }
}
