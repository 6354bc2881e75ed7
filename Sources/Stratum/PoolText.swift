/// Text that comes from a pool (error messages, `client.show_message`, reject reasons) is kept in
/// `last_error`, the event journal and log lines only up to a bound: a pool may send lines of up to 64 KiB.
package enum PoolText {
    /// The most UTF-8 bytes of pool text kept, the cut mark included.
    package static let maximumBytes = 512

    /// `text`, cut at a character boundary to at most ``maximumBytes`` bytes, ending in `…` when cut.
    package static func bounded(_ text: String) -> String {
        guard text.utf8.count > maximumBytes else { return text }
        let mark = "…"
        var kept = ""
        var bytes = 0
        for character in text {
            let size = character.utf8.count
            if bytes + size > maximumBytes - mark.utf8.count { break }
            kept.append(character)
            bytes += size
        }
        return kept + mark
    }
}
