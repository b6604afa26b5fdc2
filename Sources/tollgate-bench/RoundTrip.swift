import TollgateKit
#if canImport(Glibc)
import Glibc
#endif

/// One measurement of a server command: start-up, sequential round trips, pipelined throughput,
/// and the peak RSS of the process the client talks to.
struct RoundTrip {
    var startupMicros: Double
    var sequential: [Double]
    var callsPerSecond: Double
    var peakRSSKiB: Int
    /// The process's user + system CPU time, in microseconds, when the run ended.
    var cpuMicros: Double

    /// Measures `command`. `perMessage` makes the pipelined writer send each request with a write
    /// of its own, as MCP SDK clients do; otherwise requests go out in 4 KiB writes.
    /// `afterSpawn` runs once the process started (the store benchmark moves this thread to
    /// another CPU there).
    static func measure(_ command: [String], sequential count: Int, pipelined: Int, perMessage: Bool = false, afterSpawn: () -> Void = {}) -> RoundTrip? {
        signal(SIGPIPE, SIG_IGN)
        let start = now()
        guard let child = try? ChildProcess.spawn(.init(arguments: command)) else { return nil }
        afterSpawn()
        var reader = LineReader(fd: child.output)
        func send(_ text: String) { _ = Array(text.utf8).withUnsafeBytes { writeFully(child.input, $0) } }
        send(ChildProcess.benchInitialize)
        guard reader.nextLine() else { return nil }
        let startup = now() - start
        send(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"# + "\n")
        send(#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"# + "\n")
        guard reader.nextLine() else { return nil }
        var latencies: [Double] = []
        latencies.reserveCapacity(count)
        for i in 0..<count {
            let line = Array(#"{"jsonrpc":"2.0","id":\#(10 + i),"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}"#.utf8) + [0x0A]
            let t0 = now()
            _ = line.withUnsafeBytes { writeFully(child.input, $0) }
            guard reader.nextLine() else { return nil }
            latencies.append(now() - t0)
        }
        let input = child.input
        let writer = Thread {
            var batch: [UInt8] = []
            for i in 0..<pipelined {
                batch.append(contentsOf: #"{"jsonrpc":"2.0","id":\#(1_000_000 + i),"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}"#.utf8)
                batch.append(0x0A)
                if perMessage || batch.count > 4096 { _ = batch.withUnsafeBytes { writeFully(input, $0) }; batch.removeAll(keepingCapacity: true) }
            }
            _ = batch.withUnsafeBytes { writeFully(input, $0) }
        }
        let p0 = now()
        writer.start()
        for _ in 0..<pipelined { guard reader.nextLine() else { return nil } }
        let elapsed = Swift.max(now() - p0, 1)
        let rss = peakRSS(of: child.pid)
        let cpu = cpuMicros(of: child.pid)
        child.closeAndReap()
        return RoundTrip(startupMicros: startup, sequential: latencies.sorted(),
                         callsPerSecond: Double(pipelined) / (elapsed / 1e6), peakRSSKiB: rss, cpuMicros: cpu)
    }

    var p50: Double { sequential[sequential.count / 2] }
    var p99: Double { sequential[min(sequential.count - 1, Int(Double(sequential.count) * 0.99))] }

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) * 1e6 + Double(t.tv_nsec) / 1e3
    }

    /// User + system CPU time of a process (all its threads), in microseconds.
    static func cpuMicros(of pid: pid_t) -> Double {
        guard let bytes = try? FileIO.read("/proc/\(pid)/stat"), let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return 0 }
        // After the command's name: state is field 3; utime and stime are fields 14 and 15.
        let fields = bytes[(close + 2)...].split(separator: UInt8(ascii: " "))
        guard fields.count > 12, let user = Double(String(decoding: fields[11], as: UTF8.self)),
            let system = Double(String(decoding: fields[12], as: UTF8.self))
        else { return 0 }
        return (user + system) * 1e6 / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// VmRSS of a process, in KiB.
    static func currentRSS(of pid: pid_t) -> Int { statusField("VmRSS:", of: pid) }

    /// VmHWM of a process, in KiB.
    static func peakRSS(of pid: pid_t) -> Int { statusField("VmHWM:", of: pid) }

    /// A field of `/proc/PID/status`, in KiB.
    private static func statusField(_ field: String, of pid: pid_t) -> Int {
        guard let file = fopen("/proc/\(pid)/status", "r") else { return 0 }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, 256, file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix(field) {
                return Int(text.dropFirst(field.count).filter(\.isNumber)) ?? 0
            }
        }
        return 0
    }
}

/// Reads lines from a descriptor (only counts them).
struct LineReader {
    let fd: Int32
    var framer = LineFramer()

    init(fd: Int32) { self.fd = fd }

    mutating func nextLine() -> Bool {
        while true {
            if framer.next() != nil { return true }
            let fd = self.fd
            guard framer.fill({ read(fd, $0.baseAddress!, $0.count) }) > 0 else { return false }
        }
    }
}
