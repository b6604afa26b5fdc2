import TollgateKit
#if canImport(Glibc)
import Glibc
#endif

/// `tollgate-bench goals`: the throughput and latency goals of the full gate, configuration by
/// configuration (no manifest, then name rules, an argument schema, an audit trail, a call
/// budget on a ledger, an HMAC key, and the whole with `fsync: always`), interleaved round by
/// round with the raw relay, one message per write as MCP SDKs write them. Also `stalls` (the
/// slowest of many sequential calls) and `million` (a long pipelined run: memory, the audit
/// chain and the ledger at its end).
struct GoalTable {
    let tollgate: String
    let server: [String]
    let directory: String

    /// One configuration of the table: what Tollgate runs with, and its goals.
    struct Configuration {
        var name: String
        var command: [String]
        /// Pipelined calls per second × the raw relay's, at least.
        var throughputGoal: Double?
        /// Added sequential p50 (pinned) × the raw relay's, at most.
        var latencyGoal: Double?
    }

    /// The manifest of each configuration, each adding to the one before.
    func configurations() -> [Configuration] {
        let schema = #"{"arguments": {"type": "object", "properties": {"text": {"type": "string", "maxLength": 100}}, "additionalProperties": false}}"#
        func audit(_ fsync: String) -> String { #""audit": {"path": "\#(directory)/audit.log", "fsync": "\#(fsync)"}"# }
        let ledger = #""budgets": {"calls": 1000000000000, "ledger": "\#(directory)/budget.ledger"}"#
        let manifests: [(String, String)] = [
            ("names", #"{"version": 1, "tools": {"echo": {}}}"#),
            ("schema", #"{"version": 1, "tools": {"echo": \#(schema)}}"#),
            ("audit", #"{"version": 1, "tools": {"echo": \#(schema)}, \#(audit("batch"))}"#),
            ("ledger", #"{"version": 1, "tools": {"echo": \#(schema)}, \#(audit("batch")), \#(ledger)}"#),
            ("always", #"{"version": 1, "tools": {"echo": \#(schema)}, \#(audit("always")), \#(ledger)}"#),
        ]
        for (name, text) in manifests { writeManifest(path(name), text) }
        let run = [tollgate, "run", "--manifest"]
        let keyed = ["/usr/bin/env", "TOLLGATE_AUDIT_KEY=\(String(repeating: "5a", count: 32))"] + run
        return [
            Configuration(name: "raw relay", command: [selfPath, "relay", "--"] + server),
            Configuration(name: "no manifest", command: [tollgate, "run", "--"] + server, throughputGoal: 0.9),
            Configuration(name: "names only", command: run + [path("names"), "--"] + server, throughputGoal: 0.7, latencyGoal: 1.3),
            Configuration(name: "+ schema", command: run + [path("schema"), "--"] + server, throughputGoal: 0.7, latencyGoal: 1.3),
            Configuration(name: "+ audit (batch)", command: run + [path("audit"), "--"] + server, throughputGoal: 0.4),
            Configuration(name: "+ ledger budget", command: run + [path("ledger"), "--"] + server),
            Configuration(name: "+ HMAC (full)", command: keyed + [path("ledger"), "--"] + server, throughputGoal: 0.3, latencyGoal: 1.8),
            Configuration(name: "full, fsync always", command: keyed + [path("always"), "--"] + server),
        ]
    }

    func path(_ name: String) -> String { "\(directory)/\(name).json" }

    /// Removes what the runs wrote (audit logs, ledgers), so each round starts alike.
    func removeRecords() {
        _ = system("rm -f '\(directory)'/audit.log* '\(directory)'/budget.ledger* '\(directory)'/.*.lock")
    }

    /// What one configuration measured in one round.
    struct Sample {
        var callsPerSecond: Double
        var cpuMicrosPerCall: Double
        var unpinned: [Double]
        var pinned: [Double]
    }

    /// Prints the table: `rounds` interleaved rounds of `pipelined` pipelined calls (one message
    /// per write) and `sequential` sequential calls unpinned and pinned to one CPU.
    func run(rounds: Int, sequential: Int, pipelined: Int) -> Bool {
        let configurations = configurations()
        let direct = Configuration(name: "direct", command: server)
        var samples: [String: [Sample]] = [:]
        for round in 1...rounds {
            for configuration in [direct] + configurations {
                removeRecords()
                guard let throughput = RoundTrip.measure(configuration.command, sequential: 10, pipelined: pipelined, perMessage: true),
                    let unpinned = RoundTrip.measure(configuration.command, sequential: sequential, pipelined: 0),
                    let pinned = onOneCPU({ RoundTrip.measure(configuration.command, sequential: sequential, pipelined: 0) })
                else {
                    FileHandleStderr.write("\(configuration.name): the measurement failed (\(configuration.command.joined(separator: " ")))\n")
                    return false
                }
                samples[configuration.name, default: []].append(Sample(
                    callsPerSecond: throughput.callsPerSecond, cpuMicrosPerCall: throughput.cpuMicros / Double(pipelined + 10),
                    unpinned: unpinned.sequential, pinned: pinned.sequential))
            }
            FileHandleStderr.write("round \(round)/\(rounds) done\n")
        }
        removeRecords()
        func medianOf(_ name: String, _ value: (Sample) -> Double) -> Double { median(samples[name]!.map(value)) }
        /// The quantiles of the round whose p50 is the median, so one row is one run.
        func quantiles(_ name: String, _ series: (Sample) -> [Double]) -> [Double] {
            let runs = samples[name]!.map(series).sorted { percentile($0, 0.5) < percentile($1, 0.5) }
            let run = runs[runs.count / 2]
            return [0.5, 0.99, 0.999, 1].map { percentile(run, $0) }
        }
        let rawRate = medianOf("raw relay", \.callsPerSecond)
        let directPinned = medianOf("direct") { percentile($0.pinned, 0.5) }
        let rawAdded = max(medianOf("raw relay") { percentile($0.pinned, 0.5) } - directPinned, 0.1)
        print("Tollgate goals: \(rounds) interleaved rounds; \(pipelined) pipelined calls, one message per write; \(sequential) sequential calls unpinned and pinned to CPU 0; medians of rounds")
        print(pad("configuration", 20) + pad("calls/s", 10) + pad("× raw", 7) + pad("goal", 7) + pad("CPU µs/call", 13)
              + pad("seq p50/p99/p99.9/max µs", 32) + pad("pinned p50/p99/p99.9/max µs", 32) + pad("added p50 pinned × raw", 24) + "goal")
        var met = true
        for configuration in [direct] + configurations {
            let name = configuration.name
            let rate = medianOf(name, \.callsPerSecond)
            let ratio = rate / rawRate
            let added = (medianOf(name) { percentile($0.pinned, 0.5) } - directPinned) / rawAdded
            var line = pad(name, 20) + pad(fmt(rate, 0), 10) + pad(fmt(ratio, 2), 7)
            line += pad(configuration.throughputGoal.map { "≥ " + fmt($0, 1) + (ratio >= $0 ? "" : "✗") } ?? "", 7)
            line += pad(name == "direct" ? "" : fmt(medianOf(name, \.cpuMicrosPerCall), 2), 13)
            line += pad(quantiles(name, \.unpinned).map { fmt($0) }.joined(separator: "/"), 32)
            line += pad(quantiles(name, \.pinned).map { fmt($0) }.joined(separator: "/"), 32)
            line += pad(name == "direct" ? "" : fmt(added, 2), 24)
            line += configuration.latencyGoal.map { "≤ " + fmt($0, 1) + (added <= $0 ? "" : "✗") } ?? ""
            met = met && ratio >= (configuration.throughputGoal ?? 0) && added <= (configuration.latencyGoal ?? .infinity)
            print(line)
        }
        let always = medianOf("full, fsync always", \.callsPerSecond)
        print("full configuration with fsync always, on \(directory) (not tmpfs): \(fmt(always, 0)) calls/s (goal ≥ 20,000)\(always >= 20_000 ? "" : " ✗")")
        print("CPU µs/call: the relay process's user + system time over a pipelined run (start-up and 10 sequential calls included)")
        print(met && always >= 20_000 ? "every goal met" : "goals marked ✗ not met")
        return true
    }

    /// `stalls`: the slowest of `calls` sequential calls, raw relay and full configuration,
    /// and how many calls waited on the ledger's compaction or fdatasync.
    func stalls(calls: Int) -> Bool {
        let configurations = configurations()
        let report = "\(directory)/full.report"
        let full = configurations.first { $0.name == "+ HMAC (full)" }!
        let reporting = ["/bin/sh", "-c", #"exec "$@" 2>>"\#(report)""#, "sh"] + full.command.prefix(4) + ["--log-level", "info"] + full.command.dropFirst(4)
        removeRecords()
        print("stalls: \(calls) sequential calls each, raw relay then the full configuration (schema, HMAC audit, budget on a ledger)")
        print(pad("configuration", 20) + pad("p50 µs", 10) + pad("p99 µs", 10) + pad("p99.9 µs", 10) + "max µs")
        var maxima: [Double] = []
        for (name, command) in [("raw relay", configurations[0].command), ("full", reporting)] {
            guard let trip = RoundTrip.measure(command, sequential: calls, pipelined: 0) else {
                FileHandleStderr.write("\(name): the measurement failed\n")
                return false
            }
            maxima.append(percentile(trip.sequential, 1))
            print(pad(name, 20) + [0.5, 0.99, 0.999, 1].map { pad(fmt(percentile(trip.sequential, $0)), 10) }.joined())
        }
        let text = String(decoding: (try? FileIO.read(report)) ?? [], as: UTF8.self)
        let waited = text.split(separator: "\n").first { $0.contains("calls waited on") }.map(String.init) ?? "(no ledger report)"
        print("full max − raw max: \(fmt((maxima[1] - maxima[0]) / 1000, 2)) ms (goal ≤ 2 ms)\(maxima[1] - maxima[0] <= 2000 ? "" : " ✗")")
        print("full configuration's ledger at exit: \(waited)")
        removeRecords()
        unlink(report)
        return true
    }

    /// `million`: `calls` pipelined calls through the full configuration, one message per write:
    /// RSS as it goes, then the audit chain verified and the ledger's count of calls.
    func million(calls: Int) -> Bool {
        let full = configurations().first { $0.name == "+ HMAC (full)" }!
        removeRecords()
        defer { removeRecords() }
        signal(SIGPIPE, SIG_IGN)
        guard let child = try? ChildProcess.spawn(.init(arguments: full.command)) else { return false }
        var reader = LineReader(fd: child.output)
        func send(_ text: String) { _ = Array(text.utf8).withUnsafeBytes { writeFully(child.input, $0) } }
        send(ChildProcess.benchInitialize)
        guard reader.nextLine() else { return false }
        send(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"# + "\n")
        let input = child.input
        let writer = Thread {
            for i in 0..<calls {
                let line = Array(#"{"jsonrpc":"2.0","id":\#(i + 1),"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}"#.utf8) + [0x0A]
                guard line.withUnsafeBytes({ writeFully(input, $0) }) else { return }
            }
        }
        let start = RoundTrip.now()
        writer.start()
        var rss: [Int] = []
        for answered in 1...calls {
            guard reader.nextLine() else {
                FileHandleStderr.write("the full configuration stopped answering after \(answered - 1) calls\n")
                return false
            }
            if answered % (calls / 10) == 0 { rss.append(RoundTrip.currentRSS(of: child.pid)) }
        }
        let seconds = (RoundTrip.now() - start) / 1e6
        let peak = RoundTrip.peakRSS(of: child.pid)
        child.closeAndReap()
        print("million: \(calls) pipelined calls, full configuration, one message per write: \(fmt(seconds, 1)) s, \(fmt(Double(calls) / seconds, 0)) calls/s, all answered")
        print("RSS MiB at each tenth: " + rss.map { fmt(Double($0) / 1024) }.joined(separator: " ") + "; peak \(fmt(Double(peak) / 1024))")
        let key = "TOLLGATE_AUDIT_KEY=\(String(repeating: "5a", count: 32))"
        let verified = system("/usr/bin/env \(key) '\(tollgate)' audit verify '\(directory)'/audit.log* > '\(directory)/verify.out' 2>&1")
        print("audit verify: exit \(verified >> 8): " + String(decoding: (try? FileIO.read("\(directory)/verify.out")) ?? [], as: UTF8.self)
            .split(separator: "\n").suffix(2).joined(separator: "; "))
        _ = system("'\(tollgate)' budget show --manifest '\(path("ledger"))' --json > '\(directory)/budget.out' 2>&1")
        let shown = (try? FileIO.read("\(directory)/budget.out")) ?? []
        let used = (try? JSONValue.parse(shown)).flatMap { Self.callsUsed(in: $0) }
        let exact = used == Int64(calls)
        print("ledger: \(used.map(String.init) ?? "unreadable (\(String(decoding: shown.prefix(200), as: UTF8.self)))") calls counted"
            + (exact ? " (exact)" : " ✗ expected \(calls)"))
        return verified == 0 && exact
    }

    /// The calls used in the global scope of `tollgate budget show --json`'s report.
    static func callsUsed(in report: JSONValue) -> Int64? {
        let global = report["budgets"]?.arrayValue?.first { $0["counter"]?.stringValue == "calls" && $0["spendScope"]?.stringValue == "global" }
        guard case .number(let used)? = global?["used"] else { return nil }
        return Int64(used)
    }

    /// Runs `body` with this thread (and so the processes it starts) on CPU 0 only.
    private func onOneCPU<R>(_ body: () -> R) -> R {
        _ = pinCurrentThread(toCPU: 0)
        defer { _ = pinCurrentThread(toCPU: -1) }
        return body()
    }
}

/// The `q` quantile (0...1) of `values`, sorted or not.
func percentile(_ values: [Double], _ q: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))]
}
