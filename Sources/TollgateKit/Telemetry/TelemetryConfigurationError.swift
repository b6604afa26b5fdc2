/// A telemetry setting Tollgate cannot use, said in one sentence.
public struct TelemetryConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
