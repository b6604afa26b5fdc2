#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A cgroup v2 of the server's own, `tollgate-PID` under Tollgate's cgroup, with `memory.max`
/// and `cpu.max` from the limits (on top of setrlimit: a cgroup counts what the server's whole
/// process tree uses, and its memory limit counts resident memory, not address space). The child
/// joins it between fork and exec (``ChildProcess/Configuration/cgroup``); ``remove()`` deletes
/// it once the server is gone.
///
/// It is only possible where cgroup v2 is mounted, Tollgate's own cgroup already delegates the
/// `memory` and `cpu` controllers to its children (`cgroup.subtree_control`, as systemd does for
/// a unit with `Delegate=yes`), and the directory is writable.
public struct ServerCgroup: Sendable {
    /// The cgroup's directory.
    public let path: String

    /// The CPU period written to `cpu.max`, in microseconds.
    static let cpuPeriod = 100_000

    /// Creates the cgroup for these limits (memory and CPU), or says why it cannot.
    /// `cpuSeconds` is a total, which a cgroup cannot express; a cgroup caps the rate instead,
    /// so `cpu.max` is one CPU (the rate a single-threaded server has anyway), and the total stays
    /// with RLIMIT_CPU.
    public static func create(limits: ResourceLimits) -> Result<ServerCgroup, CgroupUnavailable> {
        guard let mount = cgroup2Mount() else { return .failure(CgroupUnavailable(reason: "no cgroup v2 hierarchy is mounted")) }
        guard let own = ownCgroup() else { return .failure(CgroupUnavailable(reason: "Tollgate's cgroup v2 path is unknown")) }
        let parent = own == "/" ? mount : mount + own
        let delegated = text(parent + "/cgroup.subtree_control").split(separator: " ").map(String.init)
        let needed = (limits.memoryMB != nil ? ["memory"] : []) + (limits.cpuSeconds != nil ? ["cpu"] : [])
        guard needed.allSatisfy(delegated.contains) else {
            return .failure(CgroupUnavailable(reason: "\(parent) does not delegate the \(needed.joined(separator: " and ")) controller to its children"))
        }
        let path = parent + "/tollgate-\(getpid())"
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            return .failure(CgroupUnavailable(reason: "cannot create \(path): \(String(cString: strerror(errno)))"))
        }
        let cgroup = ServerCgroup(path: path)
        if let memoryMB = limits.memoryMB, !write("\(memoryMB << 20)", to: path + "/memory.max") {
            cgroup.remove()
            return .failure(CgroupUnavailable(reason: "cannot write \(path)/memory.max: \(String(cString: strerror(errno)))"))
        }
        if limits.cpuSeconds != nil, !write("\(cpuPeriod) \(cpuPeriod)", to: path + "/cpu.max") {
            cgroup.remove()
            return .failure(CgroupUnavailable(reason: "cannot write \(path)/cpu.max: \(String(cString: strerror(errno)))"))
        }
        return .success(cgroup)
    }

    /// Why a server could not get a cgroup with memory and CPU limits here, or nil when it could
    /// (creates nothing: `tollgate doctor`).
    public static func availability() -> CgroupUnavailable? {
        guard let mount = cgroup2Mount() else { return CgroupUnavailable(reason: "no cgroup v2 hierarchy is mounted") }
        guard let own = ownCgroup() else { return CgroupUnavailable(reason: "Tollgate's cgroup v2 path is unknown") }
        let parent = own == "/" ? mount : mount + own
        let delegated = text(parent + "/cgroup.subtree_control").split(separator: " ").map(String.init)
        guard delegated.contains("memory") && delegated.contains("cpu") else {
            return CgroupUnavailable(reason: "\(parent) does not delegate the memory and cpu controllers to its children")
        }
        guard access(parent, W_OK) == 0 else { return CgroupUnavailable(reason: "\(parent) is not writable: \(String(cString: strerror(errno)))") }
        return nil
    }

    /// Deletes the cgroup (it must be empty: call it after the server and its group are gone).
    public func remove() {
        _ = rmdir(path)
    }

    /// Where cgroup v2 is mounted, from `/proc/self/mountinfo`.
    static func cgroup2Mount() -> String? {
        for line in text("/proc/self/mountinfo").split(separator: "\n") {
            let halves = line.split(separator: " - ", maxSplits: 1)
            guard halves.count == 2, halves[1].hasPrefix("cgroup2 ") else { continue }
            let fields = halves[0].split(separator: " ")
            if fields.count > 4 { return String(fields[4]) }
        }
        return nil
    }

    /// Tollgate's cgroup v2 path (the `0::` line of `/proc/self/cgroup`).
    static func ownCgroup() -> String? {
        text("/proc/self/cgroup").split(separator: "\n").first { $0.hasPrefix("0::") }.map { String($0.dropFirst(3)) }
    }

    private static func text(_ path: String) -> String {
        guard let bytes = try? FileIO.read(path) else { return "" }
        return String(decoding: bytes, as: UTF8.self).trimmingSuffix()
    }

    private static func write(_ value: String, to path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return value.utf8CString.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count - 1) } == value.utf8.count
    }
}

/// Why the server cannot get a cgroup of its own.
public struct CgroupUnavailable: Error, Sendable, Equatable {
    /// One sentence.
    public var reason: String
}

extension String {
    /// The text without trailing newlines and spaces.
    fileprivate func trimmingSuffix() -> String {
        var text = Substring(self)
        while let last = text.last, last == "\n" || last == " " { text.removeLast() }
        return String(text)
    }
}
