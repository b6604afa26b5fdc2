#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ResourceLimits {
    /// Why a server under these limits ended, for stderr: its status, the limit a signal points
    /// at (SIGXCPU: the CPU time limit; SIGKILL: the memory cgroup's OOM killer or the CPU hard
    /// limit), and the limits in force. `cgroup` says whether memory and CPU were also limited
    /// through a cgroup.
    public func explainExit(_ status: ExitStatus, cgroup: Bool) -> String {
        var text = "the server \(status)"
        if case .signaled(let signal) = status {
            if signal == SIGXCPU, let cpuSeconds {
                text += ": it used up its CPU time limit (cpuSeconds \(cpuSeconds))"
            } else if signal == SIGKILL, memoryMB != nil || cpuSeconds != nil {
                text += cgroup && memoryMB != nil
                    ? ": probably by the kernel's out-of-memory killer at its memory limit"
                    : ": possibly at a resource limit"
            }
        } else if case .exited(let code) = status, code != 0, memoryMB != nil {
            text += " (a server that runs out of memory under memoryMB usually exits this way, with MemoryError or bad_alloc on its stderr)"
        }
        return text + "; resource limits in force: \(summary)" + (cgroup ? " (setrlimit and a cgroup)" : " (setrlimit)")
    }
}
