/// Runs a ``RegexProgram`` over UTF-8 text as a lazy DFA (as RE2 and Rust's regex do): a state
/// is the set of instructions the Pike VM's threads would continue at (its kernel, before
/// splits, jumps and assertions are followed), with whether the previous scalar was a `\w`
/// character and whether nothing has been read yet, which is all `^`, `$`, `\b` and `\B` look at.
/// A state's transition on a scalar is computed the first time it is taken, then cached, so
/// most scalars cost one table look-up whatever the program's size.
///
/// The cache is bounded (``stateLimit`` states, ``storageLimit`` kernel entries); when full it is
/// cleared and the search goes on, unless the cache did not pay (fewer than 10 scalars read per
/// transition computed since the last clear): then the search gives up and answers nil, for the
/// Pike VM to search instead, as fast without the cache's overhead. Every scalar read and every instruction visited to compute a transition is a step
/// of the ``MatchBudget``.
struct RegexDFA {
    /// The most states cached at once.
    static let stateLimit = 2_000
    /// The most instruction indices the cached states' kernels hold together (4 bytes each).
    static let storageLimit = 1 << 19

    /// Transition targets that are not states.
    private static let unknown: Int32 = -1
    private static let matched: Int32 = -2
    private static let dead: Int32 = -3
    private static let givenUp: Int32 = -4

    /// Flags a state's key starts with.
    private static let wordBeforeFlag: Int32 = 1
    private static let startFlag: Int32 = 2

    private let code: [RegexInstruction]
    private let sets: [ScalarSet]
    private let anchored: Bool
    private let needsWords: Bool

    /// Each state's key: its flags, then its kernel, sorted.
    private var keys: [[Int32]] = []
    /// The state of each key.
    private var states: [[Int32]: Int32] = [:]
    /// Kernel entries held by all states.
    private var stored = 0
    /// Transitions on ASCII scalars: 128 per state.
    private var asciiTargets: [Int32] = []
    /// Transitions on other scalars, by state and scalar.
    private var otherTargets: [UInt64: Int32] = [:]

    /// Scratch for building a state: the generation in which each instruction was last reached,
    /// (separately) last put in the new kernel, the instructions to follow, and the new kernel.
    private var reached: [Int32]
    private var kept: [Int32]
    private var generation: Int32 = 0
    private var stack: [Int32] = []
    private var kernel: [Int32] = []

    /// The scalars read and the transitions computed since the last clear.
    private var scalarsSinceClear = 0
    private var computedSinceClear = 0

    /// Whether `program` matches somewhere in `text` (valid UTF-8); nil when the DFA gave up;
    /// throws when the search takes more steps than `budget` has left.
    static func search(
        _ program: RegexProgram, in text: UnsafeBufferPointer<UInt8>, budget: inout MatchBudget
    ) throws(MatchBudget.Exhausted) -> Bool? {
        var automaton = RegexDFA(program)
        return try automaton.run(text, budget: &budget)
    }

    private init(_ program: RegexProgram) {
        code = program.instructions
        sets = program.sets
        anchored = program.isAnchoredAtStart
        needsWords = program.usesWordBoundaries
        reached = Array(repeating: -1, count: code.count)
        kept = Array(repeating: -1, count: code.count)
    }

    private mutating func run(_ text: UnsafeBufferPointer<UInt8>, budget: inout MatchBudget) throws(MatchBudget.Exhausted) -> Bool? {
        var state = intern([Self.startFlag])
        var offset = 0
        while offset < text.count {
            let byte = text[offset]
            var target: Int32
            if byte < 0x80 {
                target = asciiTargets[Int(state) << 7 | Int(byte)]
                if target == Self.unknown { target = try transition(state, UInt32(byte), budget: &budget) }
                offset += 1
            } else {
                let scalar = RegexMachine.decode(text, at: offset)
                target = otherTargets[UInt64(state) << 21 | UInt64(scalar.value)] ?? Self.unknown
                if target == Self.unknown { target = try transition(state, scalar.value, budget: &budget) }
                offset += scalar.width
            }
            switch target {
            case Self.matched: return true
            case Self.dead: return false
            case Self.givenUp: return nil
            default: break
            }
            try budget.spend(1)
            scalarsSinceClear += 1
            state = target
        }
        let end = RegexAssertion.Position(isStart: keys[Int(state)][0] & Self.startFlag != 0, isEnd: true,
                                          wordBefore: keys[Int(state)][0] & Self.wordBeforeFlag != 0, wordAfter: false)
        let (matched, visits) = follow(state, at: end, over: nil)
        try budget.spend(visits)
        return matched
    }

    /// Computes, caches and returns the target of `state` on `scalar`.
    private mutating func transition(_ state: Int32, _ scalar: UInt32, budget: inout MatchBudget) throws(MatchBudget.Exhausted) -> Int32 {
        computedSinceClear += 1
        let flags = keys[Int(state)][0]
        let isWord = needsWords && ScalarSet.isWord(scalar)
        let position = RegexAssertion.Position(isStart: flags & Self.startFlag != 0, isEnd: false,
                                               wordBefore: flags & Self.wordBeforeFlag != 0, wordAfter: isWord)
        let (matched, visits) = follow(state, at: position, over: scalar)
        try budget.spend(visits + kernel.count)
        let target: Int32
        if matched {
            target = Self.matched
        } else if anchored && kernel.isEmpty {
            target = Self.dead
        } else {
            kernel.sort()
            let key = [isWord ? Self.wordBeforeFlag : 0] + kernel
            if let known = states[key] {
                target = known
            } else {
                if keys.count == Self.stateLimit || stored + key.count > Self.storageLimit {
                    if scalarsSinceClear < 10 * computedSinceClear { return Self.givenUp }
                    clear()
                    return intern(key)
                }
                target = intern(key)
            }
        }
        if scalar < 0x80 {
            asciiTargets[Int(state) << 7 | Int(scalar)] = target
        } else {
            otherTargets[UInt64(state) << 21 | UInt64(scalar)] = target
        }
        return target
    }

    /// Follows the state's kernel (and the program's start, when a match may start here) through
    /// splits, jumps and the assertions that hold at `position`; the instructions that accept
    /// `scalar` (none when nil) make up `kernel`, as the instructions after them. Returns whether
    /// `match` was reached, and how many instructions were visited.
    private mutating func follow(_ state: Int32, at position: RegexAssertion.Position, over scalar: UInt32?) -> (Bool, Int) {
        if generation == .max {
            reached = Array(repeating: -1, count: code.count)
            kept = Array(repeating: -1, count: code.count)
            generation = 0
        } else {
            generation += 1
        }
        kernel.removeAll(keepingCapacity: true)
        stack.removeAll(keepingCapacity: true)
        let key = keys[Int(state)]
        if !anchored || key[0] & Self.startFlag != 0 { stack.append(0) }
        stack += key.dropFirst()
        var visits = 0
        while let pc = stack.popLast() {
            guard reached[Int(pc)] != generation else { continue }
            reached[Int(pc)] = generation
            visits += 1
            switch code[Int(pc)] {
            case .scalar(let value):
                if value == scalar { keep(pc + 1) }
            case .set(let set):
                if let scalar, sets[Int(set)].contains(scalar) { keep(pc + 1) }
            case .match:
                return (true, visits)
            case .jump(let target):
                stack.append(target)
            case .split(let first, let second):
                stack.append(second)
                stack.append(first)
            case .assertion(let assertion):
                if assertion.holds(at: position) { stack.append(pc + 1) }
            }
        }
        return (false, visits)
    }

    @inline(__always)
    private mutating func keep(_ pc: Int32) {
        guard kept[Int(pc)] != generation else { return }
        kept[Int(pc)] = generation
        kernel.append(pc)
    }

    /// The state of `key`, added.
    private mutating func intern(_ key: [Int32]) -> Int32 {
        let state = Int32(keys.count)
        keys.append(key)
        states[key] = state
        stored += key.count
        asciiTargets += repeatElement(Self.unknown, count: 128)
        return state
    }

    /// Forgets every state and transition.
    private mutating func clear() {
        keys.removeAll(keepingCapacity: true)
        states.removeAll(keepingCapacity: true)
        stored = 0
        asciiTargets.removeAll(keepingCapacity: true)
        otherTargets.removeAll(keepingCapacity: true)
        scalarsSinceClear = 0
        computedSinceClear = 0
    }
}
