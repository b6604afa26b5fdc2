import Foundation

/// What /proc says about processes (Linux).
enum ProcFS {
    /// `(state, ppid)` from /proc/<pid>/stat, or nil when there is no such process.
    static func stat(_ pid: pid_t) -> (state: Character, ppid: pid_t)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so split after the last ')'.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count >= 2, let state = fields[0].first, let ppid = pid_t(fields[1]) else { return nil }
        return (state, ppid)
    }

    /// The live processes whose parent is `parent`.
    static func children(of parent: pid_t) -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { pid_t($0) }.filter { pid in
            guard let info = stat(pid) else { return false }
            return info.ppid == parent && info.state != "Z" && info.state != "X"
        }.sorted()
    }

    /// Whether `pid` no longer runs: absent, or a zombie (dead, only waiting for its new parent,
    /// which in a container may never reap it).
    static func isGone(_ pid: pid_t) -> Bool {
        if kill(pid, 0) != 0 && errno == ESRCH { return true }
        guard let info = stat(pid) else { return true }
        return info.state == "Z" || info.state == "X"
    }

    /// The process's command line, arguments joined by spaces.
    static func commandLine(_ pid: pid_t) -> String {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return "" }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
    }

    /// VmRSS of `pid` in KiB, from /proc/<pid>/status.
    static func residentKilobytes(_ pid: pid_t) -> Int? {
        statusKilobytes(pid, "VmRSS:")
    }

    /// VmHWM (the peak of VmRSS) of `pid` in KiB, from /proc/<pid>/status.
    static func peakResidentKilobytes(_ pid: pid_t) -> Int? {
        statusKilobytes(pid, "VmHWM:")
    }

    /// A field of /proc/<pid>/status given in kB, such as `VmRSS:\t   14208 kB`.
    private static func statusKilobytes(_ pid: pid_t, _ field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field) {
            return line.dropFirst(field.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Int($0) }
        }
        return nil
    }

    /// Waits (polling every 10 ms) until `pid` is gone; false if it still runs at the deadline.
    static func waitUntilGone(_ pid: pid_t, timeout: Duration) async throws -> Bool {
        let deadline = Deadline(timeout)
        return try await onThread { flag in
            while true {
                if isGone(pid) { return true }
                if deadline.hasPassed { return false }
                try flag.check("waiting for process \(pid) to go away")
                sleepThread(milliseconds: 10)
            }
        }
    }
}
