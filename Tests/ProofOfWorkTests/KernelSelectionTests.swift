import Foundation
import ProofOfWork
import Testing

/// How the automatic kernel choice weighs speed, availability and self-tests.
@Suite(.timeLimit(.minutes(5))) struct KernelSelectionTests {
    /// Keeps the CPU busy for `microseconds` (the calibration times CPU time, so sleeping would not count).
    static func spin(microseconds: Double) {
        let end = ContinuousClock.now + .microseconds(Int64(microseconds))
        while ContinuousClock.now < end {}
    }

    /// A scanner that spends `microsecondsPerNonce` of CPU time on every nonce and finds nothing.
    final class PacedScanner: NonceScanner {
        let microsecondsPerNonce: Double
        init(microsecondsPerNonce: Double) { self.microsecondsPerNonce = microsecondsPerNonce }
        func load(header: [UInt8]) {}
        func scan(from start: UInt32, count: UInt32, target: Target) -> ScanResult {
            KernelSelectionTests.spin(microseconds: microsecondsPerNonce * Double(count))
            return ScanResult(hashesDone: count, nonce: nil)
        }
    }

    static func variant(_ name: String, available: Bool = true, microsecondsPerNonce: Double) -> KernelVariant {
        KernelVariant(name: name, summary: name, isAvailable: available) { PacedScanner(microsecondsPerNonce: microsecondsPerNonce) }
    }

    @Test func theFastestPassingKernelWinsWhateverItsPlaceInTheList() {
        let portable = Self.variant("portable", microsecondsPerNonce: 0)
        let slow = Self.variant("slow", microsecondsPerNonce: 40)
        let fast = Self.variant("fast", microsecondsPerNonce: 4)
        for order in [[slow, fast, portable], [fast, slow, portable]] {
            #expect(KernelVariant.fastest(of: order, calibrationNonces: 256, passing: { _ in true }).name == "fast")
        }
    }

    /// A scanner as fast as `fast` except for one in `everyNth` scans, which a burst of load from elsewhere
    /// makes 50 times slower.
    final class BurstyScanner: NonceScanner {
        let microsecondsPerNonce: Double
        let everyNth: Int
        var scans = 0
        init(microsecondsPerNonce: Double, everyNth: Int) {
            self.microsecondsPerNonce = microsecondsPerNonce
            self.everyNth = everyNth
        }
        func load(header: [UInt8]) {}
        func scan(from start: UInt32, count: UInt32, target: Target) -> ScanResult {
            scans += 1
            KernelSelectionTests.spin(microseconds: microsecondsPerNonce * Double(count) * (scans % everyNth == 0 ? 50 : 1))
            return ScanResult(hashesDone: count, nonce: nil)
        }
    }

    /// Load that spoils a few trials does not decide: the median does, and the figures that chose are kept.
    @Test func theCalibrationTakesTheMedianOfInterleavedTrials() {
        let portable = Self.variant("portable", microsecondsPerNonce: 0)
        let steady = Self.variant("steady", microsecondsPerNonce: 8)
        let bursty = KernelVariant(name: "bursty", summary: "bursty", isAvailable: true) { BurstyScanner(microsecondsPerNonce: 4, everyNth: 3) }
        let calibration = KernelVariant.calibrate([steady, bursty, portable], calibrationNonces: 256, trials: 9, passing: { _ in true })
        #expect(calibration.chosen.name == "bursty", "\(calibration.figures.map { ($0.kernel, $0.hashesPerSecond) })")
        #expect(calibration.trials == 9)
        #expect(calibration.figures.map(\.kernel) == ["bursty", "steady"])
        #expect(calibration.figures[0].hashesPerSecond > calibration.figures[1].hashesPerSecond)
    }

    @Test func aKernelThatFailsItsSelfTestOrIsUnavailableIsNeverChosen() {
        let portable = Self.variant("portable", microsecondsPerNonce: 0)
        let slow = Self.variant("slow", microsecondsPerNonce: 40)
        let wrong = Self.variant("wrong", microsecondsPerNonce: 1)
        let absent = Self.variant("absent", available: false, microsecondsPerNonce: 1)
        let chosen = KernelVariant.fastest(of: [wrong, absent, slow, portable], calibrationNonces: 256) { $0.name != "wrong" }
        #expect(chosen.name == "slow")
    }

    @Test func thePortableKernelOnlyWhenNothingElseQualifies() {
        // The portable kernel is the fastest here, yet a passing vector kernel is preferred to it: it is
        // never calibrated against, only fallen back to.
        let portable = Self.variant("portable", microsecondsPerNonce: 0)
        let vector = Self.variant("vector", microsecondsPerNonce: 10)
        #expect(KernelVariant.fastest(of: [vector, portable], calibrationNonces: 256, passing: { _ in true }).name == "vector")
        #expect(KernelVariant.fastest(of: [vector, portable], calibrationNonces: 256, passing: { $0.name == "portable" }).name == "portable")
        let absent = Self.variant("absent", available: false, microsecondsPerNonce: 1)
        #expect(KernelVariant.fastest(of: [absent, portable], calibrationNonces: 256, passing: { _ in true }).name == "portable")
    }
}
