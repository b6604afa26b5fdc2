/// Runs a ``RegexProgram`` over UTF-8 text as a Pike VM: the threads at one position are a set of
/// instruction indices, each index at most once, advanced together one scalar at a time. Each
/// position costs at most one visit per instruction, so a search takes O(program × text) time and
/// O(program) memory, with no backtracking and no recursion. Each thread advanced and each
/// instruction followed is a step of the ``MatchBudget``.
struct RegexMachine: ~Copyable {
    private let code: UnsafeBufferPointer<RegexInstruction>
    private let sets: UnsafeBufferPointer<ScalarSet>
    /// The threads at the current position and the next one: instruction indices that consume a scalar.
    private var current: UnsafeMutableBufferPointer<Int32>
    private var next: UnsafeMutableBufferPointer<Int32>
    private var currentCount = 0
    private var nextCount = 0
    /// Instructions still to follow while adding a thread.
    private let stack: UnsafeMutableBufferPointer<Int32>
    /// The generation (one per position) in which each instruction was last reached.
    private let marks: UnsafeMutableBufferPointer<Int32>
    private var generation: Int32 = 0
    /// Instructions followed at the current position, for the budget.
    private var visits = 0

    /// Whether `program` matches somewhere in `text` (valid UTF-8, as every Swift string is);
    /// throws when that takes more steps than `budget` has left.
    static func search(
        _ program: RegexProgram, in text: UnsafeBufferPointer<UInt8>, budget: inout MatchBudget
    ) throws(MatchBudget.Exhausted) -> Bool {
        let count = program.instructions.count
        return try program.instructions.withUnsafeBufferPointer { code throws(MatchBudget.Exhausted) in
            try program.sets.withUnsafeBufferPointer { sets throws(MatchBudget.Exhausted) in
                // One allocation (on the stack when small): two thread lists, the stack and the marks.
                try withUnsafeTemporaryAllocation(of: Int32.self, capacity: 4 * count) { memory throws(MatchBudget.Exhausted) in
                    let marks = UnsafeMutableBufferPointer(rebasing: memory[(3 * count)...])
                    marks.initialize(repeating: -1)
                    var machine = RegexMachine(
                        code: code, sets: sets,
                        current: UnsafeMutableBufferPointer(rebasing: memory[0..<count]),
                        next: UnsafeMutableBufferPointer(rebasing: memory[count..<(2 * count)]),
                        stack: UnsafeMutableBufferPointer(rebasing: memory[(2 * count)..<(3 * count)]),
                        marks: marks)
                    return try machine.run(text, anchored: program.isAnchoredAtStart, needsWords: program.usesWordBoundaries,
                                           budget: &budget)
                }
            }
        }
    }

    private init(code: UnsafeBufferPointer<RegexInstruction>, sets: UnsafeBufferPointer<ScalarSet>,
                 current: UnsafeMutableBufferPointer<Int32>, next: UnsafeMutableBufferPointer<Int32>,
                 stack: UnsafeMutableBufferPointer<Int32>, marks: UnsafeMutableBufferPointer<Int32>) {
        self.code = code
        self.sets = sets
        self.current = current
        self.next = next
        self.stack = stack
        self.marks = marks
    }

    /// The search: `anchored` when matches can only start at offset 0, `needsWords` when the
    /// program has `\b` or `\B` (otherwise the positions' word flags stay false, unread).
    private mutating func run(
        _ text: UnsafeBufferPointer<UInt8>, anchored: Bool, needsWords: Bool, budget: inout MatchBudget
    ) throws(MatchBudget.Exhausted) -> Bool {
        var offset = 0
        var scalar = Self.decode(text, at: offset)
        var wordBefore = false
        while true {
            let atEnd = offset == text.count
            let position = RegexAssertion.Position(
                isStart: offset == 0, isEnd: atEnd, wordBefore: wordBefore,
                wordAfter: needsWords && !atEnd && ScalarSet.isWord(scalar.value))
            if offset == 0 || !anchored {
                if addThread(0, at: position, toNext: false) { return true }
            }
            if atEnd || (anchored && currentCount == 0) { return false }
            try budget.spend(currentCount + visits)
            visits = 0
            // Advance every thread over the scalar; the threads that survive are the next position's.
            let nextOffset = offset + scalar.width
            let following = Self.decode(text, at: nextOffset)
            let nextAtEnd = nextOffset == text.count
            let nextPosition = RegexAssertion.Position(
                isStart: false, isEnd: nextAtEnd, wordBefore: position.wordAfter,
                wordAfter: needsWords && !nextAtEnd && ScalarSet.isWord(following.value))
            if generation == .max {
                // Over two billion positions: start the generations again.
                marks.update(repeating: -1)
                generation = 0
            } else {
                generation += 1
            }
            nextCount = 0
            for index in 0..<currentCount {
                let pc = current[index]
                let accepts = switch code[Int(pc)] {
                case .scalar(let value): value == scalar.value
                case .set(let set): sets[Int(set)].contains(scalar.value)
                default: false
                }
                if accepts, addThread(pc + 1, at: nextPosition, toNext: true) { return true }
            }
            swap(&current, &next)
            currentCount = nextCount
            wordBefore = nextPosition.wordBefore
            offset = nextOffset
            scalar = following
        }
    }

    /// Adds the thread at `start` and every thread its splits, jumps and holding assertions lead
    /// to (each instruction once per generation) to the current or next list; true when one
    /// reaches `match`.
    @inline(__always)
    private mutating func addThread(_ start: Int32, at position: RegexAssertion.Position, toNext: Bool) -> Bool {
        guard marks[Int(start)] != generation else { return false }
        marks[Int(start)] = generation
        visits += 1
        stack[0] = start
        var top = 1
        while top > 0 {
            top -= 1
            let pc = stack[top]
            switch code[Int(pc)] {
            case .scalar, .set:
                if toNext {
                    next[nextCount] = pc
                    nextCount += 1
                } else {
                    current[currentCount] = pc
                    currentCount += 1
                }
            case .match:
                return true
            case .jump(let target):
                push(target, &top)
            case .split(let first, let second):
                push(second, &top)
                push(first, &top)
            case .assertion(let assertion):
                if assertion.holds(at: position) { push(pc + 1, &top) }
            }
        }
        return false
    }

    @inline(__always)
    private mutating func push(_ pc: Int32, _ top: inout Int) {
        guard marks[Int(pc)] != generation else { return }
        marks[Int(pc)] = generation
        visits += 1
        stack[top] = pc
        top += 1
    }

    /// The scalar at `offset` in valid UTF-8 and its length in bytes (value 0, width 0 at the end).
    @inline(__always)
    static func decode(_ text: UnsafeBufferPointer<UInt8>, at offset: Int) -> (value: UInt32, width: Int) {
        guard offset < text.count else { return (0, 0) }
        let lead = UInt32(text[offset])
        if lead < 0x80 { return (lead, 1) }
        func continuation(_ index: Int) -> UInt32 { UInt32(text[offset + index]) & 0x3F }
        if lead < 0xE0 { return ((lead & 0x1F) << 6 | continuation(1), 2) }
        if lead < 0xF0 { return ((lead & 0x0F) << 12 | continuation(1) << 6 | continuation(2), 3) }
        return ((lead & 0x07) << 18 | continuation(1) << 12 | continuation(2) << 6 | continuation(3), 4)
    }
}
