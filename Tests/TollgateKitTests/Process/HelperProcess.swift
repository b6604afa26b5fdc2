import Testing
@testable import TollgateKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// This test binary run again as a helper process that runs only the tests `filter` names (their
/// report silenced), for a test that needs processes of its own.
enum HelperProcess {
    /// Starts the helper with `environment`; nil when this binary cannot be run again so (it is
    /// not an `.xctest` bundle).
    static func start(filter: String, environment: [String: String]) throws -> ChildProcess? {
        let binary = CommandLine.arguments[0]
        guard binary.hasSuffix(".xctest"), access(binary, X_OK) == 0 else { return nil }
        let command = #"exec "$0" --testing-library swift-testing --quiet --filter "$1" 2>/dev/null"#
        return try ChildProcess.spawn(ChildProcess.Configuration(arguments: ["/bin/sh", "-c", command, binary, filter], environment: environment))
    }

    /// Closes the helper's input, reads its output to the end and waits (30 s at most) for it to
    /// exit; nil when it did not.
    static func finish(_ child: ChildProcess) -> TollgateKit.ExitStatus? {
        close(child.input)
        _ = readToEnd(child.output)
        close(child.output)
        var status: TollgateKit.ExitStatus?
        for _ in 0..<6000 where status == nil {
            status = child.reap()
            if status == nil { usleep(5000) }
        }
        return status
    }
}
