/// Why an export did not reach the collector, or was not accepted.
enum HTTPFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The collector could not be reached (`errno` text).
    case unreachable(String)
    /// It did not answer in time.
    case timedOut
    /// Its answer was not HTTP, or the connection broke.
    case broken(String)
    /// It answered with a status other than 2xx.
    case status(Int)

    var description: String {
        switch self {
        case .unreachable(let why): "cannot connect: \(why)"
        case .timedOut: "no answer in time"
        case .broken(let why): why
        case .status(let status): "HTTP status \(status)"
        }
    }
}
