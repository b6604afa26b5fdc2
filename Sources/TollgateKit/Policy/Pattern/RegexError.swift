/// Why a regular expression was refused, and where in it.
struct RegexError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kinds of refusal.
    enum Kind: Equatable, Sendable {
        /// Not valid ECMA-262 syntax (as `new RegExp(source, "u")` reads it).
        case syntax
        /// Valid ECMA-262, but not matchable in linear time: backreferences and lookaround.
        case notLinear
        /// Valid ECMA-262, but outside the supported subset (`\p{Script=…}` and other properties).
        case unsupported
        /// Too long, nested too deep, or compiling to more than ``RegexProgram/instructionLimit`` instructions.
        case tooLarge
    }

    /// What kind of refusal.
    var kind: Kind
    /// What is wrong and what to write instead.
    var message: String
    /// Where the problem starts, in Unicode scalars from the pattern's start; nil when it concerns the whole pattern.
    var offset: Int?

    /// The message, with the 1-based character position when known.
    var description: String {
        guard let offset else { return message }
        return "\(message) (at character \(offset + 1))"
    }
}
