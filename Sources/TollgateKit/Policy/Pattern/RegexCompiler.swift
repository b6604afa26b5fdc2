/// Turns a ``RegexNode`` into the instructions of a Thompson NFA (see ``RegexProgram``), refusing
/// a program longer than a limit as soon as it would pass it.
///
/// A counted repetition is code copied: `x{n,m}` is `x` n times, then m−n times a split that may
/// skip to the end and `x`; `x{n,}` is `x` n−1 times, then `x+`. So `(a{1000}){1000}` is refused
/// after a few copies rather than built.
struct RegexCompiler {
    /// The instructions so far.
    private(set) var instructions: [RegexInstruction] = []
    /// The sets the `.set` instructions refer to, each once.
    private(set) var sets: [ScalarSet]
    /// Where each set is in `sets`.
    private var setIndices: [ScalarSet: Int32] = [:]
    /// The most instructions allowed in the whole program.
    private let limit: Int
    /// Instructions the program holds outside this compiler's code (for the code of a repetition's body).
    private let used: Int

    private init(limit: Int, used: Int) {
        self.limit = limit
        self.used = used
        self.sets = []
    }

    /// The program for `node` (at most `limit` instructions, then `match`): its instructions and sets.
    static func compile(_ node: RegexNode, limit: Int) throws(RegexError) -> ([RegexInstruction], [ScalarSet]) {
        var compiler = RegexCompiler(limit: limit, used: 0)
        try compiler.emit(node)
        compiler.instructions.append(.match)
        return (compiler.instructions, compiler.sets)
    }

    private var count: Int32 { Int32(instructions.count) }

    /// Appends one instruction and returns its index.
    @discardableResult
    private mutating func append(_ instruction: RegexInstruction) throws(RegexError) -> Int32 {
        guard used + instructions.count < limit else { throw tooLarge }
        instructions.append(instruction)
        return count - 1
    }

    private var tooLarge: RegexError {
        RegexError(kind: .tooLarge, message: "the pattern compiles to more than \(limit) instructions (a counted repetition "
            + "x{n,m} copies x m times); use smaller counts, or maxLength for a length limit", offset: nil)
    }

    private mutating func emit(_ node: RegexNode) throws(RegexError) {
        switch node {
        case .empty:
            break
        case .scalar(let value):
            try append(.scalar(value))
        case .set(let set):
            if let index = setIndices[set] {
                try append(.set(index))
            } else {
                let index = Int32(sets.count)
                sets.append(set)
                setIndices[set] = index
                try append(.set(index))
            }
        case .assertion(let assertion):
            try append(.assertion(assertion))
        case .concatenation(let parts):
            for part in parts { try emit(part) }
        case .alternation(let alternatives):
            var jumps: [Int32] = []
            for alternative in alternatives.dropLast() {
                let split = try append(.split(0, 0))
                try emit(alternative)
                jumps.append(try append(.jump(0)))
                instructions[Int(split)] = .split(split + 1, count)
            }
            try emit(alternatives[alternatives.count - 1])
            for jump in jumps { instructions[Int(jump)] = .jump(count) }
        case .repetition(let body, let min, let max):
            try emitRepetition(body, min: min, max: max)
        }
    }

    private mutating func emitRepetition(_ body: RegexNode, min: Int, max: Int?) throws(RegexError) {
        if max == 0 { return }
        // The body's code, compiled once with targets counted from 0, then placed where needed.
        var fragment = RegexCompiler(limit: limit, used: used + instructions.count)
        // The body's sets join the program's.
        swap(&fragment.sets, &sets)
        swap(&fragment.setIndices, &setIndices)
        try fragment.emit(body)
        swap(&fragment.sets, &sets)
        swap(&fragment.setIndices, &setIndices)
        let code = fragment.instructions
        // A body that consumes nothing matches only the empty string, however often it repeats.
        if code.isEmpty { return }
        func place(_ compiler: inout RegexCompiler) throws(RegexError) {
            guard compiler.used + compiler.instructions.count + code.count <= compiler.limit else { throw compiler.tooLarge }
            let offset = compiler.count
            compiler.instructions += code.map { $0.shifted(by: offset) }
        }
        guard let max else {
            if min == 0 {
                let loop = try append(.split(0, 0))
                try place(&self)
                try append(.jump(loop))
                instructions[Int(loop)] = .split(loop + 1, count)
            } else {
                for _ in 1..<min { try place(&self) }
                let loop = count
                try place(&self)
                try append(.split(loop, count + 1))
            }
            return
        }
        for _ in 0..<min { try place(&self) }
        var splits: [Int32] = []
        for _ in min..<max {
            splits.append(try append(.split(0, 0)))
            try place(&self)
        }
        for split in splits { instructions[Int(split)] = .split(split + 1, count) }
    }
}
