#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process that could not be started.
public struct SpawnError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The step that failed.
    public enum Step: Int32, Sendable {
        case fork = 1, pipe, redirect, changeDirectory, limits, exec, parentDied, cgroup
    }

    /// The command that could not start.
    public var command: String
    /// The step that failed.
    public var step: Step
    /// The system error number.
    public var errno: Int32

    public var description: String {
        let cause = String(cString: strerror(errno))
        switch step {
        case .exec: return "cannot start '\(command)': \(cause)"
        case .changeDirectory: return "cannot start '\(command)': cannot enter its working directory: \(cause)"
        case .limits: return "cannot start '\(command)': cannot apply its resource limits: \(cause)"
        case .cgroup: return "cannot start '\(command)': cannot join its cgroup: \(cause)"
        default: return "cannot start '\(command)': \(cause) (while setting up the process)"
        }
    }

    /// The exit code a shell would use: 127 when the command was not found, 126 when it cannot run.
    public var exitCode: Int32 {
        step == .exec && errno == ENOENT ? 127 : 126
    }
}
