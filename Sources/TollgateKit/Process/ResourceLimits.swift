/// Limits applied to a server process before it starts (setrlimit in the child).
public struct ResourceLimits: Sendable, Equatable {
    /// Address-space limit in MiB (RLIMIT_AS).
    public var memoryMB: Int?
    /// CPU time limit in seconds (RLIMIT_CPU: the kernel sends SIGXCPU at it, SIGKILL a second later).
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

    /// These limits with every limit `other` sets taken from `other` (command-line flags over a manifest).
    public func overridden(by other: ResourceLimits) -> ResourceLimits {
        ResourceLimits(memoryMB: other.memoryMB ?? memoryMB, cpuSeconds: other.cpuSeconds ?? cpuSeconds,
                       openFiles: other.openFiles ?? openFiles, processes: other.processes ?? processes)
    }

    /// The limits set, as people read them: `memoryMB 256, cpuSeconds 5`.
    public var summary: String {
        var parts: [String] = []
        if let memoryMB { parts.append("memoryMB \(memoryMB)") }
        if let cpuSeconds { parts.append("cpuSeconds \(cpuSeconds)") }
        if let openFiles { parts.append("openFiles \(openFiles)") }
        if let processes { parts.append("processes \(processes)") }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }
}
