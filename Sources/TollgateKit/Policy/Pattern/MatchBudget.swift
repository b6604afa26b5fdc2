/// The work the pattern checks of one validation may still do, in steps, so that no pattern and
/// string can make a check slow. A step is one thread of the Pike VM (``RegexMachine``) advanced
/// over a scalar or followed through an instruction, or one scalar the lazy DFA (``RegexDFA``)
/// reads, or one instruction it visits while building a state.
///
/// A search that would pass the budget stops with ``Exhausted``: its answer is unknown, and the
/// caller must deny, never read it as "does not match" (under `not`, that would let the value in).
struct MatchBudget: Sendable {
    /// The steps one validation may take: about a third of a second of the Pike VM at its slowest.
    static let stepsPerValidation = 50_000_000

    /// The budget ran out before the search could answer.
    struct Exhausted: Error, Equatable, Sendable {
        /// The budget's size in steps.
        let steps: Int
    }

    /// The budget's size in steps.
    let steps: Int
    /// The steps still allowed (negative once exhausted).
    private(set) var remaining: Int

    /// A budget of `steps` steps.
    init(steps: Int = Self.stepsPerValidation) {
        self.steps = steps
        remaining = steps
    }

    /// Takes `count` steps, or throws when that passes the budget.
    @inline(__always)
    mutating func spend(_ count: Int) throws(Exhausted) {
        remaining -= count
        if remaining < 0 { throw Exhausted(steps: steps) }
    }
}
