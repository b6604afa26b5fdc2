/// A regular expression compiled for matching in linear time: the instructions of a Thompson NFA,
/// which ``RegexMachine`` simulates on every possible thread at once (a Pike VM) instead of
/// backtracking. Matching takes time proportional to the program's length times the string's,
/// whatever both hold, and memory proportional to the program.
struct RegexProgram: Sendable {
    /// The most instructions a program may have, its final `match` aside.
    static let instructionLimit = 10_000

    /// The instructions; the program starts at the first.
    let instructions: [RegexInstruction]
    /// The sets the `.set` instructions refer to.
    let sets: [ScalarSet]
    /// Whether a match can only start at the string's start, so threads start there only.
    let isAnchoredAtStart: Bool
    /// Whether the program has `\b` or `\B`, so the machine must know where words are.
    let usesWordBoundaries: Bool

    /// Parses and compiles `source` (see ``RegexParser`` for the syntax), or says why it is refused.
    init(compiling source: String) throws(RegexError) {
        let node = try RegexParser.parse(source)
        (instructions, sets) = try RegexCompiler.compile(node, limit: Self.instructionLimit)
        isAnchoredAtStart = node.isAnchoredAtStart
        usesWordBoundaries = instructions.contains { $0 == .assertion(.wordBoundary) || $0 == .assertion(.notWordBoundary) }
    }

    /// Whether the pattern matches somewhere in `string`.
    func matches(_ string: String) -> Bool {
        var string = string
        return string.withUTF8 { RegexMachine.search(self, in: $0) }
    }
}
