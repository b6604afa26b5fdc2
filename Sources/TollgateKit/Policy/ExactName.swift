/// A member name from a schema, compared with names in arguments by Unicode scalars (as JSON
/// does), with a fast path for ASCII names.
struct ExactName: Sendable {
    /// The name.
    let text: String
    /// Whether the name is ASCII: then a name of the same UTF-8 length that is `==` (canonically
    /// equivalent) is also identical, because only non-ASCII scalars, longer in UTF-8, decompose
    /// to ASCII ones.
    let isASCII: Bool

    init(_ text: String) {
        self.text = text
        isASCII = text.utf8.allSatisfy { $0 < 0x80 }
    }

    /// Whether `key` is exactly this name.
    @inline(__always)
    func matches(_ key: String) -> Bool {
        guard key.utf8.count == text.utf8.count else { return false }
        return isASCII ? key == text : key.hasSameScalars(as: text)
    }
}
