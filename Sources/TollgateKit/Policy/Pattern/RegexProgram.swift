/// A regular expression compiled for matching in linear time: the instructions of a Thompson NFA,
/// which ``RegexDFA`` runs as a lazy DFA (one table look-up per scalar once its states are built)
/// and ``RegexMachine`` simulates on every possible thread at once (a Pike VM), instead of
/// backtracking. Matching takes time proportional to the program's length times the string's at
/// worst, whatever both hold, memory bounded by the DFA's cache, and at most the steps of its
/// ``MatchBudget``.
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

    /// The engines that can search a program.
    enum Engine: Sendable {
        /// The lazy DFA, or the Pike VM when the string is short or the DFA gives up.
        case automatic
        /// The Pike VM alone.
        case pikeVM
        /// The lazy DFA alone; a search it gives up on is repeated by the Pike VM.
        case lazyDFA
    }

    /// Below this many steps (bytes times instructions), the Pike VM searches: it needs no cache.
    static let smallSearch = 4_096

    /// Whether the pattern matches somewhere in `string`; throws, without an answer, when that
    /// takes more steps than `budget` has left.
    func matches(
        _ string: String, budget: inout MatchBudget, engine: Engine = .automatic
    ) throws(MatchBudget.Exhausted) -> Bool {
        var string = string
        return try string.withUTF8 { text -> Result<Bool, MatchBudget.Exhausted> in
            do throws(MatchBudget.Exhausted) {
                return .success(try search(text, budget: &budget, engine: engine))
            } catch {
                return .failure(error)
            }
        }.get()
    }

    private func search(
        _ text: UnsafeBufferPointer<UInt8>, budget: inout MatchBudget, engine: Engine
    ) throws(MatchBudget.Exhausted) -> Bool {
        if engine == .pikeVM || (engine == .automatic && text.count * instructions.count <= Self.smallSearch) {
            return try RegexMachine.search(self, in: text, budget: &budget)
        }
        if let answer = try RegexDFA.search(self, in: text, budget: &budget) { return answer }
        return try RegexMachine.search(self, in: text, budget: &budget)
    }
}
