/// One instruction of a ``RegexProgram``. Targets are instruction indices.
enum RegexInstruction: Equatable, Sendable {
    /// Consumes this scalar (by value).
    case scalar(UInt32)
    /// Consumes a scalar of the program's set at this index.
    case set(Int32)
    /// Continues at both targets.
    case split(Int32, Int32)
    /// Continues at the target.
    case jump(Int32)
    /// Continues at the next instruction if the condition holds here.
    case assertion(RegexAssertion)
    /// The pattern matched.
    case match

    /// The same instruction in a copy of its code placed `offset` instructions later.
    func shifted(by offset: Int32) -> RegexInstruction {
        switch self {
        case .split(let first, let second): .split(first + offset, second + offset)
        case .jump(let target): .jump(target + offset)
        default: self
        }
    }
}
