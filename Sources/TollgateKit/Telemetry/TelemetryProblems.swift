/// The telemetry settings Tollgate cannot use, one sentence each.
public struct TelemetryProblems: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [String]

    public init(_ problems: [String]) {
        self.problems = problems
    }

    public var description: String { problems.joined(separator: "; ") }
}
