extension Duration {
    /// The duration in seconds, with its fraction.
    package var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }

    /// The duration in whole milliseconds (the fraction dropped).
    package var inMilliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}

extension Array where Element: Comparable {
    /// The median: the middle element once sorted (the upper one of an even count); nil when empty.
    package var median: Element? {
        isEmpty ? nil : sorted()[count / 2]
    }
}
