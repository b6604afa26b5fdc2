import CTollgateSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A server process Tollgate started, with pipes on its stdin and stdout (its stderr is Tollgate's).
/// Its environment never holds Tollgate's secrets (``SecretEnvironment``).
///
/// The child runs in its own process group, so teardown signals reach whatever it started, and
/// `PR_SET_PDEATHSIG` kills it if Tollgate dies, even by SIGKILL. Spawn from a thread that lives
/// as long as the child (the main thread): the kernel ties the death signal to the spawning thread.
public struct ChildProcess: Sendable {
    /// What to start.
    public struct Configuration: Sendable, Equatable {
        /// The command and its arguments; the command is searched in PATH when it has no slash.
        public var arguments: [String]
        /// The complete environment, or nil to inherit Tollgate's (either without Tollgate's
        /// secrets, see ``SecretEnvironment``).
        public var environment: [String: String]?
        /// The working directory, or nil for Tollgate's.
        public var workingDirectory: String?
        /// Resource limits set before exec.
        public var limits: ResourceLimits
        /// A cgroup v2 directory the child joins before exec (see ``ServerCgroup``), or nil.
        public var cgroup: String?

        public init(arguments: [String], environment: [String: String]? = nil, workingDirectory: String? = nil,
                    limits: ResourceLimits = ResourceLimits(), cgroup: String? = nil) {
            self.arguments = arguments
            self.environment = environment
            self.workingDirectory = workingDirectory
            self.limits = limits
            self.cgroup = cgroup
        }
    }

    /// The process id (also its process group id).
    public let pid: pid_t
    /// Tollgate's end of the child's stdin.
    public let input: Int32
    /// Tollgate's end of the child's stdout.
    public let output: Int32

    /// Starts a child, or says precisely why it could not start.
    public static func spawn(_ configuration: Configuration) throws(SpawnError) -> ChildProcess {
        let command = configuration.arguments.first ?? ""
        var toChild: [Int32] = [-1, -1]
        var fromChild: [Int32] = [-1, -1]
        guard tg_pipe_cloexec(&toChild) == 0 else { throw SpawnError(command: command, step: .pipe, errno: errno) }
        guard tg_pipe_cloexec(&fromChild) == 0 else {
            close(toChild[0]); close(toChild[1])
            throw SpawnError(command: command, step: .pipe, errno: errno)
        }
        var limits = tg_limits(
            address_space_bytes: configuration.limits.memoryMB.map { Int64($0) << 20 } ?? -1,
            cpu_seconds: configuration.limits.cpuSeconds.map(Int64.init) ?? -1,
            open_files: configuration.limits.openFiles.map(Int64.init) ?? -1,
            processes: configuration.limits.processes.map(Int64.init) ?? -1)
        var pid: pid_t = 0
        var failedStep: Int32 = 0
        let environment = SecretEnvironment.forChild(configuration.environment).map { env in env.map { "\($0.key)=\($0.value)" }.sorted() }
        let result = withCStrings(configuration.arguments) { argv in
            withOptionalCStrings(environment) { envp in
                withOptionalCString(configuration.workingDirectory) { cwd in
                    withOptionalCString(configuration.cgroup.map { $0 + "/cgroup.procs" }) { procs in
                        tg_spawn(argv, envp, cwd, toChild[0], fromChild[1], &limits, procs, &pid, &failedStep)
                    }
                }
            }
        }
        close(toChild[0])
        close(fromChild[1])
        guard result == 0 else {
            close(toChild[1])
            close(fromChild[0])
            throw SpawnError(command: command, step: SpawnError.Step(rawValue: failedStep) ?? .exec, errno: result)
        }
        return ChildProcess(pid: pid, input: toChild[1], output: fromChild[0])
    }

    /// Sends a signal to the child's whole process group.
    public func signalGroup(_ signal: Int32) {
        if kill(-pid, signal) != 0 { kill(pid, signal) }
    }

    /// Reaps the child if it has ended; nil while it runs.
    public func reap() -> ExitStatus? {
        var code: Int32 = -1
        var signal: Int32 = -1
        guard tg_wait(pid, 1, &code, &signal) == pid else { return nil }
        return signal >= 0 ? .signaled(signal) : .exited(code)
    }
}

private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { buffer in
        buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) { body($0) }
    }
}

private func withOptionalCStrings<R>(_ strings: [String]?, _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    guard let strings else { return body(nil) }
    return withCStrings(strings) { body($0) }
}

private func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let string else { return body(nil) }
    return string.withCString { body($0) }
}
