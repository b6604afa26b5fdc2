import TollgateKit
#if canImport(Glibc)
import Glibc
#endif

/// `tollgate-bench sandbox [--starts N]`: what a sandbox adds to a child's start. The bench
/// server is started N times in each configuration, interleaved (no sandbox; Landlock only;
/// Landlock and a network namespace; and an allowHosts proxy as well), each timed from the spawn
/// to its answer to `initialize`; medians are printed with what each adds to the plain start.
enum SandboxStart {
    static func run(server: [String], starts: Int) -> Int32 {
        // The bench server is a Swift program: it reads the Swift runtime's libraries.
        let runtime = swiftRuntimeDirectory().map { [$0] } ?? []
        let configurations: [(name: String, sandbox: SandboxSpec?)] = [
            ("no sandbox", nil),
            ("Landlock, network allow", SandboxSpec(preset: .binary, read: runtime, network: .allow)),
            ("+ network namespace", SandboxSpec(preset: .binary, read: runtime, network: .none)),
            ("+ allowHosts proxy", SandboxSpec(preset: .binary, read: runtime, network: .allowHosts([HostPortPattern("example.org:443")!]))),
        ]
        var samples = [[Double]](repeating: [], count: configurations.count)
        for _ in 0..<starts {
            for (index, configuration) in configurations.enumerated() {
                guard let micros = startMicros(server, sandbox: configuration.sandbox) else {
                    FileHandleStderr.write("\(configuration.name): the start failed\n")
                    return 1
                }
                samples[index].append(micros)
            }
        }
        let medians = samples.map(median)
        print("sandbox set-up: a child's start (spawn to its answer to initialize), median of \(starts) interleaved starts each")
        for (index, configuration) in configurations.enumerated() {
            let added = index == 0 ? "" : "   adds \(fmt((medians[index] - medians[0]) / 1000, 2)) ms"
            print("  " + pad(configuration.name, 26) + pad(fmt(medians[index] / 1000, 2) + " ms", 10) + added)
        }
        print("sandbox set-up adds at most \(fmt((medians.dropFirst().max()! - medians[0]) / 1000, 2)) ms to a child's start (goal ≤ 5)")
        return 0
    }

    /// Microseconds from spawning `server` (in `sandbox`) to its first line, or nil.
    static func startMicros(_ server: [String], sandbox: SandboxSpec?) -> Double? {
        let start = RoundTrip.now()
        guard let child = try? ChildProcess.spawn(.init(arguments: server, sandbox: sandbox.map { Sandbox(spec: $0) })) else { return nil }
        defer { child.closeAndReap() }
        var reader = LineReader(fd: child.output)
        _ = Array(ChildProcess.benchInitialize.utf8).withUnsafeBytes { writeFully(child.input, $0) }
        guard reader.nextLine() else { return nil }
        return RoundTrip.now() - start
    }

    /// The folder of the Swift runtime this process runs with (from /proc/self/maps), if any.
    static func swiftRuntimeDirectory() -> String? {
        guard let bytes = try? FileIO.read("/proc/self/maps") else { return nil }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasSuffix("/libswiftCore.so") {
            guard let slash = line.firstIndex(of: "/") else { continue }
            return FileIO.directory(of: String(line[slash...]))
        }
        return nil
    }
}
