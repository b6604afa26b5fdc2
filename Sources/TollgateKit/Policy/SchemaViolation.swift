/// Why arguments do not satisfy an ``ArgumentSchema``: the first failing keyword found.
public struct SchemaViolation: Sendable, Equatable, CustomStringConvertible {
    /// An RFC 6901 pointer to the failing value inside the arguments ("" = the arguments object).
    public var pointer: String
    /// The schema keyword that failed, for example `"pattern"` or `"pathWithin"`.
    public var keyword: String
    /// What the value must be, written for the model, for example `must match ^SELECT`.
    public var message: String
    /// Whether the value could not be checked (a pattern's search ran out of its ``MatchBudget``):
    /// it is not known to fail, but it is not valid either, and `not` must not turn it into a pass.
    public var isUndecided: Bool

    /// Creates a violation.
    public init(pointer: String, keyword: String, isUndecided: Bool = false, message: String) {
        self.pointer = pointer
        self.keyword = keyword
        self.isUndecided = isUndecided
        self.message = message
    }

    /// The message, prefixed with where: `"/q" must match ^SELECT`, or `the arguments must …`.
    public var description: String {
        pointer.isEmpty ? "the arguments \(message)" : "\"\(pointer)\" \(message)"
    }

    /// The violation moved one level down: `key` is the member or element that held the value.
    func inside(_ key: String) -> SchemaViolation {
        SchemaViolation(pointer: "/" + JSONPointer.escape(key) + pointer, keyword: keyword, isUndecided: isUndecided, message: message)
    }
}
