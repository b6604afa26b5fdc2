import CTollgateSupport
#if canImport(Glibc)
import Glibc
#endif

/// What this machine offers sandboxes, found by asking the kernel and by trying (a child that
/// enters the namespaces): `tollgate doctor` prints it, `tollgate check` warns with it.
public struct SandboxSupport: Sendable {
    /// The Landlock ABI version, 0 without Landlock.
    public var landlockABI: Int
    /// Why there is no Landlock, when there is none.
    public var landlockProblem: String?
    /// Whether a child gets a network namespace (through a user namespace when Tollgate lacks
    /// CAP_SYS_ADMIN), or what stopped it.
    public var networkNamespace: SpawnError?
    /// Whether a child gets a user namespace, or what stopped it (what a Tollgate that is not
    /// root needs for a network namespace).
    public var userNamespace: SpawnError?
    /// Whether Tollgate may enter network namespaces without a user namespace (root).
    public var createsNamespacesDirectly: Bool
    /// Whether `pidfd_open` works (the allowHosts proxy watches its server with it).
    public var pidfd: Bool
    /// Why a server cannot get a cgroup of its own, or nil when it can.
    public var cgroup: CgroupUnavailable?

    /// Asks this machine (forks two short-lived children).
    public static func probe() -> SandboxSupport {
        let abi = SandboxKernel.landlockABI
        let problem = abi > 0 ? nil : String(cString: strerror(errno))
        func failure(_ result: Result<Void, SpawnError>) -> SpawnError? {
            if case .failure(let error) = result { return error }
            return nil
        }
        let pidfd = tg_pidfd_open(getpid())
        if pidfd >= 0 { close(pidfd) }
        return SandboxSupport(landlockABI: abi, landlockProblem: problem,
                              networkNamespace: failure(SandboxKernel.probeNetworkNamespace()),
                              userNamespace: failure(SandboxKernel.probeNetworkNamespace(throughUserNamespace: true)),
                              createsNamespacesDirectly: SandboxKernel.mayCreateNamespacesDirectly, pidfd: pidfd >= 0,
                              cgroup: ServerCgroup.availability())
    }

    /// This machine's, probed once per process.
    public static let current = probe()

    /// What this machine lacks for `spec`, in one sentence, or nil when it can provide it.
    public func problem(for spec: SandboxSpec) -> String? {
        guard landlockABI > 0 else { return "this kernel offers no Landlock (\(landlockProblem ?? "unknown"))" }
        if landlockABI < spec.minimumABI {
            return "the sandbox asks for Landlock ABI \(spec.minimumABI) (landlockABI), this kernel offers ABI \(landlockABI)"
        }
        if spec.network.isolates, let networkNamespace { return networkNamespace.reason }
        if case .allowHosts = spec.network, !pidfd { return "allowHosts needs pidfd_open (Linux 5.3)" }
        return nil
    }

    /// What stops `server`'s sandbox here, or nil when it can be set up: the machine (see
    /// ``problem(for:)``), then its paths (the ruleset is built, then dropped; nothing starts).
    public func problem(for server: Manifest.Server, parentEnvironment: [String: String]) -> String? {
        guard let spec = server.sandbox else { return nil }
        if let problem = problem(for: spec) { return problem }
        do throws(SandboxError) {
            let plan = try SandboxPlan.make(spec, arguments: server.arguments,
                                            environment: server.environment.resolve(parent: parentEnvironment) ?? parentEnvironment,
                                            workingDirectory: server.workingDirectory)
            try SandboxLaunch(plan, minimumABI: spec.minimumABI).close()
            return nil
        } catch {
            return error.reason
        }
    }

    /// The report `tollgate doctor` prints: each feature, whether this machine has it, and what
    /// of a manifest it enables.
    public var report: [String] {
        var lines: [String] = []
        if landlockABI > 0 {
            lines.append("Landlock: ABI \(landlockABI) -> servers.X.sandbox (preset, filesystem): enforced by the kernel")
            for (abi, guarantee) in SandboxKernel.guarantees {
                lines.append("  ABI \(abi) \(abi <= landlockABI ? "yes" : "no ") \(guarantee)")
            }
        } else {
            lines.append("Landlock: NO (\(landlockProblem ?? "unknown")) -> every sandbox is refused (or runs unsandboxed with \"required\": false)")
        }
        for gap in SandboxKernel.gaps { lines.append("  not covered up to ABI \(SandboxKernel.newestABI): \(gap)") }
        let via = createsNamespacesDirectly ? "directly (CAP_SYS_ADMIN)" : "through a user namespace"
        lines.append("network namespace (\(via)): " + (networkNamespace.map { "NO: \($0.reason)" } ?? "yes")
                     + " -> sandbox.network \"none\" and allowHosts (also UDP and abstract Unix sockets closed)")
        lines.append("user namespace: " + (userNamespace.map { "NO: \($0.reason)" } ?? "yes")
                     + " -> a network sandbox when Tollgate does not run as root" + (createsNamespacesDirectly ? " (not needed here)" : ""))
        lines.append("pidfd_open: \(pidfd ? "yes" : "NO") -> sandbox.network allowHosts (Tollgate's proxy)")
        lines.append("no_new_privs and dropping capabilities: yes -> every sandbox" + (geteuid() == 0 ? " (Tollgate runs as root: its sandboxed servers get no capability)" : ""))
        lines.append("cgroup v2 delegation: " + (cgroup.map { "NO: \($0.reason)" } ?? "yes")
                     + " -> servers.X.limits memoryMB and cpuSeconds also as a cgroup (memory.max, cpu.max); else setrlimit only")
        return lines
    }
}
