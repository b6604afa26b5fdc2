/// Limits applied to a server process before it starts (setrlimit in the child).
public struct ResourceLimits: Sendable, Equatable {
    /// Address-space limit in MiB (RLIMIT_AS).
    public var memoryMB: Int?
    /// CPU time limit in seconds (RLIMIT_CPU; the kernel sends SIGXCPU, then SIGKILL).
    public var cpuSeconds: Int?
    /// Open file descriptor limit (RLIMIT_NOFILE).
    public var openFiles: Int?
    /// Process limit for the user (RLIMIT_NPROC).
    public var processes: Int?

    public init(memoryMB: Int? = nil, cpuSeconds: Int? = nil, openFiles: Int? = nil, processes: Int? = nil) {
        self.memoryMB = memoryMB
        self.cpuSeconds = cpuSeconds
        self.openFiles = openFiles
        self.processes = processes
    }

    /// Whether no limit is set.
    public var isEmpty: Bool { self == ResourceLimits() }
}
