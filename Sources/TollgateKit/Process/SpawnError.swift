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
        /// The sandbox's steps in the child (see ``tg_sandbox``).
        case userNamespace, networkNamespace, loopback, proxy, noNewPrivileges, landlock, capabilities
        /// Setting the sandbox up before the child starts (the kernel, its paths; see ``detail``).
        case sandbox

        /// Whether the step belongs to the sandbox.
        public var isSandbox: Bool { rawValue >= Step.userNamespace.rawValue }
    }

    /// The command that could not start.
    public var command: String
    /// The step that failed.
    public var step: Step
    /// The system error number (0 when ``detail`` says it all).
    public var errno: Int32
    /// What more is known: why the sandbox cannot be set up, or why the kernel refused a step.
    public var detail: String?

    public init(command: String, step: Step, errno: Int32, detail: String? = nil) {
        self.command = command
        self.step = step
        self.errno = errno
        self.detail = detail
    }

    public var description: String {
        "cannot start '\(command)': " + reason
    }

    /// The cause, without the command.
    public var reason: String {
        let cause = (errno == 0 ? "" : String(cString: strerror(errno))) + (detail.map { errno == 0 ? $0 : " (\($0))" } ?? "")
        switch step {
        case .exec: return cause
        case .changeDirectory: return "cannot enter its working directory: \(cause)"
        case .limits: return "cannot apply its resource limits: \(cause)"
        case .cgroup: return "cannot join its cgroup: \(cause)"
        case .userNamespace: return "its sandbox needs a user namespace, which the kernel refused: \(cause)"
        case .networkNamespace: return "its sandbox needs a network namespace, which the kernel refused: \(cause)"
        case .loopback: return "cannot bring up the loopback interface of its sandbox: \(cause)"
        case .proxy: return "cannot set up the proxy of its sandbox: \(cause)"
        case .noNewPrivileges: return "cannot set no_new_privs for its sandbox: \(cause)"
        case .landlock: return "the kernel refused its Landlock sandbox: \(cause)"
        case .capabilities: return "cannot drop the capabilities of its sandbox: \(cause)"
        case .sandbox: return "its sandbox cannot be set up: \(cause)"
        default: return "\(cause) (while setting up the process)"
        }
    }

    /// The exit code a shell would use: 127 when the command was not found, 126 when it cannot run.
    public var exitCode: Int32 {
        step == .exec && errno == ENOENT ? 127 : 126
    }
}
