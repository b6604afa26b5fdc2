/// A budget setting that cannot be read: a rate (`"30/min"`), a window (`"1h"`) or a cost
/// (`0.25`). The manifest loader prefixes it with the file, line and key path.
public struct BudgetSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was expected and what was found, as one sentence without a final period.
    public var message: String

    /// Creates an error with a message.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
