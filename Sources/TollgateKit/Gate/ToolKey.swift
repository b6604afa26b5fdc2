/// A tool name used as a dictionary key, compared and hashed by its UTF-8 bytes.
///
/// Swift's `String` equality is canonical equivalence (`"café"` precomposed equals `"cafe\u{301}"`),
/// but name rules match bytes and a server may treat the two as different tools: a decision
/// cached for one must never be reused for the other.
struct ToolKey: Hashable, Sendable {
    let name: String

    init(_ name: String) { self.name = name }

    static func == (lhs: ToolKey, rhs: ToolKey) -> Bool {
        lhs.name.utf8.elementsEqual(rhs.name.utf8)
    }

    func hash(into hasher: inout Hasher) {
        var name = self.name
        name.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
