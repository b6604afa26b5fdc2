/// A condition on a position in the string, matching no characters: `^`, `$`, `\b`, `\B`.
enum RegexAssertion: Equatable, Sendable {
    /// `^`: the string's start (there is no multiline flag).
    case start
    /// `$`: the string's very end (not before a final newline).
    case end
    /// `\b`: between a `\w` character and a character that is not one (or an end of the string).
    case wordBoundary
    /// `\B`: not at a word boundary.
    case notWordBoundary

    /// What the assertions look at: where the position is and whether `\w` characters surround it.
    struct Position {
        var isStart: Bool
        var isEnd: Bool
        var wordBefore: Bool
        var wordAfter: Bool
    }

    /// Whether the condition holds at `position`.
    @inline(__always)
    func holds(at position: Position) -> Bool {
        switch self {
        case .start: position.isStart
        case .end: position.isEnd
        case .wordBoundary: position.wordBefore != position.wordAfter
        case .notWordBoundary: position.wordBefore == position.wordAfter
        }
    }
}
