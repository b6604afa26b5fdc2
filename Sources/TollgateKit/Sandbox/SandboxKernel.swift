import CTollgateSupport
#if canImport(Glibc)
import Glibc
#endif

/// What this machine's kernel offers sandboxes, asked of the kernel itself.
public enum SandboxKernel {
    /// The Landlock ABI version, or 0 when Landlock is not available.
    public static var landlockABI: Int { Int(tg_landlock_abi()) }

    /// The newest Landlock ABI whose rights Tollgate uses.
    public static let newestABI = 7

    /// What each Landlock ABI adds to a sandbox, oldest first.
    public static let guarantees: [(abi: Int, guarantee: String)] = [
        (1, "reading, writing and executing outside the listed paths is refused, for the server and every process it starts"),
        (2, "linking or renaming a file into another directory follows the same rules (before ABI 2: always refused)"),
        (3, "truncating a file (truncate, open with O_TRUNC) needs write access to it"),
        (4, "(TCP bind and connect rights: not used, the network namespace covers TCP and UDP)"),
        (5, "ioctl on a device the server opens needs the device's right (/dev/null, /dev/urandom have it)"),
        (6, "signals and abstract Unix sockets are scoped: the server cannot signal or connect to processes outside its sandbox"),
        (7, "refusals can be logged by the kernel's audit subsystem (when it is enabled)"),
    ]

    /// What no Landlock ABI Tollgate uses controls, and what (if anything) closes it.
    public static let gaps = [
        "connecting to a pathname Unix socket the server can reach by path (ssh-agent's, docker.sock): only the socket file's permissions stop it",
        "changing the mode, times or user extended attributes of any file the server's user owns, wherever it is (chown needs CAP_CHOWN, "
            + "which sandboxes drop); as root that is most system files: run Tollgate as an ordinary user",
        "reading any file's metadata (stat, the existence of a path) and symbolic links; listing and reading stay refused",
        "UDP and TCP (closed by the network namespace when network is \"none\" or allowHosts)",
    ]

    /// Whether Tollgate holds CAP_SYS_ADMIN, without which a network namespace needs a user
    /// namespace first.
    public static var mayCreateNamespacesDirectly: Bool { tg_has_capability(21) == 1 }

    /// Whether a child can get the namespaces a network sandbox needs, or the step and error
    /// that stopped it (forks a process that tries).
    public static func probeNetworkNamespace(throughUserNamespace: Bool = !mayCreateNamespacesDirectly) -> Result<Void, SpawnError> {
        var step: Int32 = 0
        let result = tg_probe_namespaces(throughUserNamespace ? 1 : 0, &step)
        guard result != 0 else { return .success(()) }
        var error = SpawnError(command: "", step: SpawnError.Step(rawValue: step) ?? .fork, errno: result)
        if error.step == .userNamespace { error.detail = userNamespaceHint() }
        return .failure(error)
    }

    /// Why this machine refuses user namespaces to an ordinary user, read from the settings that
    /// can refuse them, or nil when none of them does.
    public static func userNamespaceHint() -> String? {
        let settings: [(path: String, refuses: (Int) -> Bool, meaning: String)] = [
            ("/proc/sys/user/max_user_namespaces", { $0 == 0 }, "user namespaces are disabled"),
            ("/proc/sys/kernel/unprivileged_userns_clone", { $0 == 0 }, "unprivileged user namespaces are disabled (Debian's switch)"),
            ("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", { $0 != 0 },
             "AppArmor refuses unprivileged user namespaces to programs without a profile that allows them"),
        ]
        for setting in settings {
            guard let bytes = try? FileIO.read(setting.path),
                  let value = Int(String(decoding: bytes, as: UTF8.self).filter { !$0.isWhitespace }), setting.refuses(value) else { continue }
            let name = setting.path.dropFirst("/proc/sys/".count).replacingSlashes
            return "\(name) = \(value): \(setting.meaning)"
        }
        return nil
    }

    /// Whether Tollgate runs as root (its sandboxes then drop every capability).
    public static var runsAsRoot: Bool { geteuid() == 0 }
}

extension Substring {
    /// `kernel/x` as sysctl names it: `kernel.x`.
    fileprivate var replacingSlashes: String { String(map { $0 == "/" ? "." : $0 }) }
}
