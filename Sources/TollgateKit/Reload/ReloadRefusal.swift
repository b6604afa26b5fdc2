/// Why a valid manifest cannot replace the running one (the old one stays in force).
public struct ReloadRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// Each reason, for a person.
    public var problems: [String]

    /// A refusal for these reasons.
    public init(problems: [String]) {
        self.problems = problems
    }

    public var description: String { problems.joined(separator: "; ") }
}
