/// A parsed regular expression: what it matches, without its spelling. Groups are gone (captures
/// do not change whether a string matches), and so is laziness (`a*?` matches where `a*` does).
indirect enum RegexNode: Equatable, Sendable {
    /// Matches the empty string (an empty pattern, alternative or group).
    case empty
    /// One scalar, by value (an escaped lone surrogate is a value no string holds).
    case scalar(UInt32)
    /// One scalar of a set: a class, `.`, `\d`, `\p{…}` ….
    case set(ScalarSet)
    /// A condition on the position, matching no characters.
    case assertion(RegexAssertion)
    /// Each part in turn.
    case concatenation([RegexNode])
    /// Any one of the alternatives.
    case alternation([RegexNode])
    /// The node `min` to `max` times (nil: no upper bound).
    case repetition(RegexNode, min: Int, max: Int?)

    /// Whether every match of the node starts at the string's start (it begins with `^` on every
    /// path). False when unsure.
    var isAnchoredAtStart: Bool {
        switch self {
        case .assertion(.start): true
        case .concatenation(let parts): parts.first?.isAnchoredAtStart ?? false
        case .alternation(let alternatives): alternatives.allSatisfy(\.isAnchoredAtStart)
        case .repetition(let node, let min, _): min > 0 && node.isAnchoredAtStart
        default: false
        }
    }
}
