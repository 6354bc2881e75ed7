import Foundation

/// The known-answer vectors in `vectors.json` beside this file (real block headers, a real pool share,
/// RFC 7914), loaded for tests.
public enum Vectors {
    /// The parsed JSON document.
    nonisolated(unsafe) public static let document: [String: Any] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("vectors.json")
        guard let data = try? Data(contentsOf: url),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { fatalError("cannot read \(url.path)") }
        return object
    }()

    /// A list of objects under `key`.
    public static func list(_ key: String) -> [[String: Any]] {
        document[key] as? [[String: Any]] ?? []
    }

    /// The RFC 7914 section.
    public static var rfc7914: [String: Any] { document["rfc7914"] as? [String: Any] ?? [:] }

    /// Decodes hex, failing loudly on a bad fixture.
    public static func bytes(_ hex: Any?) -> [UInt8] {
        guard let text = hex as? String else { fatalError("fixture field is not a string") }
        var out = [UInt8]()
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            out.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return out
    }
}
