/// One replacement in a file's bytes, for the editors that change JSON text in place and leave
/// the rest of it byte for byte (`pin`, `wrap`, `unwrap`).
struct TextSplice {
    /// The bytes replaced (empty for an insertion).
    var range: Range<Int>
    /// What replaces them.
    var bytes: [UInt8]

    /// `text` with every splice applied (their ranges must not overlap).
    static func applying(_ splices: [TextSplice], to text: [UInt8]) -> [UInt8] {
        var result = text
        for splice in splices.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            result.replaceSubrange(splice.range, with: splice.bytes)
        }
        return result
    }
}
