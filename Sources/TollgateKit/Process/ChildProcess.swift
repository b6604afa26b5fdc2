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
        /// The sandbox the child enters before exec (see ``ChildProcess/spawn(_:)``), or nil.
        public var sandbox: Sandbox?

        public init(arguments: [String], environment: [String: String]? = nil, workingDirectory: String? = nil,
                    limits: ResourceLimits = ResourceLimits(), cgroup: String? = nil, sandbox: Sandbox? = nil) {
            self.arguments = arguments
            self.environment = environment
            self.workingDirectory = workingDirectory
            self.limits = limits
            self.cgroup = cgroup
            self.sandbox = sandbox
        }
    }

    /// The process id (also its process group id).
    public let pid: pid_t
    /// Tollgate's end of the child's stdin.
    public let input: Int32
    /// Tollgate's end of the child's stdout.
    public let output: Int32

    /// Starts a child, or says precisely why it could not start. With a sandbox, the child enters
    /// it before exec (``SandboxLaunch``): a sandbox the kernel cannot provide stops the start,
    /// unless it is not `required`: then stderr says so, the audit trail records it, and the child
    /// starts unsandboxed (not even that when the record cannot be written).
    public static func spawn(_ configuration: Configuration) throws(SpawnError) -> ChildProcess {
        guard let sandbox = configuration.sandbox else { return try start(configuration, sandbox: nil) }
        do throws(SpawnError) {
            return try start(configuration, sandbox: sandbox)
        } catch where error.step.isSandbox && !sandbox.spec.required {
            let reason = error.reason
            do throws(AuditError) {
                _ = try sandbox.audit?.append(AuditRecord.unsandboxed(server: sandbox.server, reason: reason))
            } catch {
                throw SpawnError(command: configuration.arguments.first ?? "", step: .sandbox, errno: 0,
                                 detail: "\(reason); it is not required, but running unsandboxed cannot be recorded in the audit trail (\(error))")
            }
            Diagnostics.standardError.report("warning: \(sandbox.server.map { "server \($0)" } ?? "the server") runs UNSANDBOXED "
                                             + "(its sandbox is not required): \(reason)")
            return try start(configuration, sandbox: nil)
        }
    }

    private static func start(_ configuration: Configuration, sandbox: Sandbox?) throws(SpawnError) -> ChildProcess {
        let command = configuration.arguments.first ?? ""
        var environment = SecretEnvironment.forChild(configuration.environment)
        var launch: SandboxLaunch?
        if let sandbox {
            do throws(SandboxError) {
                let base = environment ?? FileIO.environment()
                let plan = try SandboxPlan.make(sandbox.spec, arguments: configuration.arguments, environment: base,
                                                workingDirectory: configuration.workingDirectory ?? FileIO.currentDirectory())
                launch = try SandboxLaunch(plan, minimumABI: sandbox.spec.minimumABI)
                environment = plan.environment(base)
            } catch {
                throw SpawnError(command: command, step: .sandbox, errno: 0, detail: error.reason)
            }
        }
        defer { launch?.close() }
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
        var listener: Int32 = -1
        var failedStep: Int32 = 0
        let environmentLines = environment.map { env in env.map { "\($0.key)=\($0.value)" }.sorted() }
        let result = withCStrings(configuration.arguments) { argv in
            withOptionalCStrings(environmentLines) { envp in
                withOptionalCString(configuration.workingDirectory) { cwd in
                    withOptionalCString(configuration.cgroup.map { $0 + "/cgroup.procs" }) { procs in
                        withOptionalPointer(launch?.settings) { sandboxSettings in
                            tg_spawn(argv, envp, cwd, toChild[0], fromChild[1], &limits, procs, sandboxSettings, &pid, &listener, &failedStep)
                        }
                    }
                }
            }
        }
        close(toChild[0])
        close(fromChild[1])
        guard result == 0 else {
            close(toChild[1])
            close(fromChild[0])
            var error = SpawnError(command: command, step: SpawnError.Step(rawValue: failedStep) ?? .exec, errno: result)
            if error.step == .userNamespace { error.detail = SandboxKernel.userNamespaceHint() }
            throw error
        }
        let child = ChildProcess(pid: pid, input: toChild[1], output: fromChild[0])
        if listener >= 0, let sandbox, case .allowHosts(let patterns) = sandbox.spec.network {
            do throws(SandboxError) {
                try SandboxProxy.start(listener: listener, serving: pid, policy: ProxyPolicy(patterns: patterns),
                                       recorder: NetworkRecorder(server: sandbox.server, audit: sandbox.audit, diagnostics: .standardError))
            } catch {
                child.signalGroup(SIGKILL)
                var code: Int32 = 0
                var signal: Int32 = 0
                _ = tg_wait(pid, 0, &code, &signal)
                close(child.input)
                close(child.output)
                throw SpawnError(command: command, step: .proxy, errno: 0, detail: error.reason)
            }
        }
        return child
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

private func withOptionalPointer<Value, R>(_ value: Value?, _ body: (UnsafePointer<Value>?) -> R) -> R {
    guard let value else { return body(nil) }
    return withUnsafePointer(to: value) { body($0) }
}

private func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let string else { return body(nil) }
    return string.withCString { body($0) }
}
