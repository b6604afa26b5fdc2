import TollgateKit
#if canImport(Glibc)
import Glibc
#endif

// tollgate-bench: measures a minimal MCP server called directly, behind a raw byte-copying relay,
// and behind `tollgate run`, interleaved in one run, and Tollgate's in-process costs.
//
//   tollgate-bench [--rounds R] [--sequential N] [--pipelined N] [--tollgate PATH] [--relay-only]
//                  (--relay-only: direct, raw relay and tollgate without a manifest, nothing else)
//   tollgate-bench server            the minimal server
//   tollgate-bench relay -- CMD...   the raw relay
//   tollgate-bench audit             the audit recording figures only
//   tollgate-bench telemetry         the telemetry figures only (a built-in collector on loopback)
//   tollgate-bench sandbox [--starts N]  what a sandbox adds to a child's start (median of N, default 50)
//   tollgate-bench large [--large-mb N] [--rounds R] [--tollgate PATH]
//                                    one N MiB message each way (default 64): time and peak RSS
//                                    of the raw relay, tollgate without a manifest and with the full one
//   tollgate-bench store             the budget store's figures only (starts a redis-server of its own)
//   tollgate-bench goals [--rounds R] [--sequential N] [--pipelined N] [--tollgate PATH]
//                                    the full gate's goals, configuration by configuration (GoalTable)
//   tollgate-bench stalls [--calls N]   the slowest of N sequential calls (default 100,000), raw and full
//   tollgate-bench million [--calls N]  N pipelined calls through the full configuration (default 1,000,000)

let arguments = Array(CommandLine.arguments.dropFirst())
let me = CommandLine.arguments[0].contains("/") ? CommandLine.arguments[0] : "/proc/self/exe"
let selfPath: String = {
    guard let resolved = realpath(me, nil) else { return me }
    defer { free(resolved) }
    return String(validatingCString: resolved) ?? me
}()

if arguments.first == "server" { exit(BenchServer.run(perMessage: arguments.dropFirst().first == "--per-message")) }
// `tollgate-bench loop KIND N`: runs one in-process operation N times, for instruction counts
// under `valgrind --tool=callgrind` (repeatable where wall-clock timings are not). KIND: scan,
// read, response; session, names, schema (a call and its response through a session without a
// manifest, with a name rule, with a name rule and an argument schema); audit; effects (N fully
// checked calls: see ``EffectsLoop``).
if arguments.first == "loop", arguments.count >= 3, arguments[1] == "audit", let iterations = Int(arguments[2]) {
    do throws(AuditError) { try AuditBenchmark.loop(path: "/tmp/tollgate-bench-loop-\(getpid()).audit", count: iterations) } catch { print(error) }
    exit(0)
}
if arguments.first == "loop", arguments.count >= 3, arguments[1] == "effects", let iterations = Int(arguments[2]) {
    exit(EffectsLoop.run(count: iterations) ? 0 : 1)
}
if arguments.first == "loop", arguments.count >= 3, let iterations = Int(arguments[2]) {
    Micro.loop(arguments[1], iterations: iterations)
    exit(0)
}
// `tollgate-bench audit`: only the audit recording figures.
if arguments.first == "audit" {
    let directory = "/tmp/tollgate-bench-audit-\(getpid())"
    mkdir(directory, 0o700)
    do throws(AuditError) { print(try AuditBenchmark.run(directory: directory).text) } catch { print("audit benchmark failed: \(error)") }
    rmdir(directory)
    exit(0)
}
// `tollgate-bench telemetry`: only the telemetry figures.
if arguments.first == "telemetry" {
    print(TelemetryBenchmark.run()?.text ?? "telemetry benchmark: no loopback socket")
    exit(0)
}
if arguments.first == "micro" {
    for (name, nanoseconds) in Micro.run() { print(name, Int(nanoseconds), "ns") }
    exit(0)
}
if arguments.first == "relay", arguments.count > 2 { exit(RawRelay.run(Array(arguments.dropFirst(2)))) }
// `tollgate-bench sandbox [--starts N]`: only the sandbox set-up figures.
if arguments.first == "sandbox" {
    let starts = arguments.count > 2 && arguments[1] == "--starts" ? Int(arguments[2]) ?? 50 : 50
    exit(SandboxStart.run(server: [selfPath, "server"], starts: starts))
}
// `tollgate-bench store [--rounds R] [--sequential N] [--pipelined N]`: the budget store's figures only.
if arguments.first == "store" {
    var values = (rounds: 5, sequential: 2000, pipelined: 20_000)
    var options = arguments.dropFirst().makeIterator()
    while let option = options.next() {
        let value = Int(options.next() ?? "") ?? 0
        switch option {
        case "--rounds": values.rounds = max(value, 1)
        case "--sequential": values.sequential = max(value, 10)
        case "--pipelined": values.pipelined = max(value, 8)
        default:
            FileHandleStderr.write("unknown argument \(option)\n")
            exit(2)
        }
    }
    let gate = String(selfPath.dropLast("tollgate-bench".count)) + "tollgate"
    exit(StoreBench.run(tollgate: gate, server: [selfPath, "server"], rounds: values.rounds, sequential: values.sequential, pipelined: values.pipelined))
}

// `tollgate-bench goals|stalls|million`: the full gate's goals (GoalTable).
if let command = arguments.first, ["goals", "stalls", "million"].contains(command) {
    var values = (rounds: 5, sequential: 5000, pipelined: 100_000, calls: command == "million" ? 1_000_000 : 100_000)
    var gate = String(selfPath.dropLast("tollgate-bench".count)) + "tollgate"
    var options = arguments.dropFirst().makeIterator()
    while let option = options.next() {
        let value = options.next() ?? ""
        switch option {
        case "--rounds": values.rounds = max(Int(value) ?? 0, 1)
        case "--sequential": values.sequential = max(Int(value) ?? 0, 10)
        case "--pipelined": values.pipelined = max(Int(value) ?? 0, 10)
        case "--calls": values.calls = max(Int(value) ?? 0, 10)
        case "--tollgate": gate = value
        default:
            FileHandleStderr.write("unknown argument \(option)\n")
            exit(2)
        }
    }
    // On the disk (/tmp here), not tmpfs: fsync always is measured where it costs.
    var template = Array("/tmp/tollgate-bench-goals-XXXXXX".utf8CString)
    guard let folder = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else { exit(1) }
    let table = GoalTable(tollgate: gate, server: [selfPath, "server", "--per-message"],
                          directory: String(decoding: UnsafeRawBufferPointer(start: folder, count: strlen(folder)), as: UTF8.self))
    let succeeded = switch command {
    case "goals": table.run(rounds: values.rounds, sequential: values.sequential, pipelined: values.pipelined)
    case "stalls": table.stalls(calls: values.calls)
    default: table.million(calls: values.calls)
    }
    _ = system("rm -rf '\(table.directory)'")
    exit(succeeded ? 0 : 1)
}

var rounds = 5
var sequential = 5000
var pipelined = 100_000
var tollgate = String(selfPath.dropLast("tollgate-bench".count)) + "tollgate"
var extra: [String] = []
var relayOnly = false
var largeMiB = 64
let largeOnly = arguments.first == "large"
var iterator = (largeOnly ? Array(arguments.dropFirst()) : arguments).makeIterator()
while let argument = iterator.next() {
    switch argument {
    case "--rounds": rounds = Int(iterator.next() ?? "") ?? rounds
    case "--sequential": sequential = Int(iterator.next() ?? "") ?? sequential
    case "--pipelined": pipelined = Int(iterator.next() ?? "") ?? pipelined
    case "--tollgate": tollgate = iterator.next() ?? tollgate
    case "--manifest": extra = ["--manifest", iterator.next() ?? ""]
    case "--relay-only": relayOnly = true
    case "--large-mb": largeMiB = Int(iterator.next() ?? "") ?? largeMiB
    default:
        FileHandleStderr.write("unknown argument \(argument)\n")
        exit(2)
    }
}

/// Writes a manifest the configurations below run with.
func writeManifest(_ path: String, _ text: String) {
    _ = Array(text.utf8).withUnsafeBytes { bytes in
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(fd) }
        return writeFully(fd, bytes)
    }
}

let server = [selfPath, "server"]
// The end-to-end figures with a manifest on: `echo` allowed with an argument schema.
let manifestPath = "/tmp/tollgate-bench-\(getpid()).json"
let manifestText = #"{"version": 1, "tools": {"echo": {"arguments": {"type": "object", "properties": {"text": {"type": "string", "maxLength": 100}}, "additionalProperties": false}}}}"#
writeManifest(manifestPath, manifestText)
defer { unlink(manifestPath) }
// The same with an audit trail (fsync batch, rotated at 8 MB so the files stay small).
let auditManifestPath = "/tmp/tollgate-bench-\(getpid())-audit.json"
let auditPath = "/tmp/tollgate-bench-\(getpid()).audit"
let auditManifestText = String(manifestText.dropLast()) + #", "audit": {"path": "\#(auditPath)", "fsync": "batch", "rotateMB": 8}}"#
writeManifest(auditManifestPath, auditManifestText)
defer {
    unlink(auditManifestPath)
    _ = system("rm -f '\(auditPath)' '\(auditPath)'.* '/tmp/.tollgate-bench-\(getpid()).audit.lock'")
}
// The aggregating path against the single-server path, both from a manifest that allows every
// tool: one server (a plain relay with the gate) and two servers behind one gate (`echo` is the
// unprefixed server's, so both send the same bytes).
let serverEntry = #"{"command": "\#(selfPath)", "args": ["server"]"#
let singleManifestPath = "/tmp/tollgate-bench-\(getpid())-single.json"
let aggregatingManifestPath = "/tmp/tollgate-bench-\(getpid())-aggregating.json"
writeManifest(singleManifestPath, #"{"version": 1, "policy": {"default": "allow"}, "servers": {"bench": \#(serverEntry)}}}"#)
writeManifest(aggregatingManifestPath, #"{"version": 1, "policy": {"default": "allow"}, "servers": {"bench": \#(serverEntry), "prefix": false}, "other": \#(serverEntry)}}}"#)
defer {
    unlink(singleManifestPath)
    unlink(aggregatingManifestPath)
}
// One large message each way: the full configuration checks the call's arguments against a
// schema, records it in an HMAC-keyed audit trail and counts it against a budget on a ledger.
let fullManifestPath = "/tmp/tollgate-bench-\(getpid())-full.json"
let fullAuditPath = "/tmp/tollgate-bench-\(getpid())-full.audit"
let fullLedgerPath = "/tmp/tollgate-bench-\(getpid())-full.ledger"
writeManifest(fullManifestPath, #"{"version": 1, "tools": {"echo": {"arguments": {"type": "object", "properties": {"text": {"type": "string"}}}}}, "#
    + #""audit": {"path": "\#(fullAuditPath)", "fsync": "batch"}, "budgets": {"calls": 1000000000, "ledger": "\#(fullLedgerPath)"}}"#)
func removeFullFiles() { _ = system("rm -f '\(fullManifestPath)' '\(fullAuditPath)'* '\(fullLedgerPath)'* /tmp/.tollgate-bench-\(getpid())-full.*") }
defer { removeFullFiles() }
let fullCommand = ["/usr/bin/env", "TOLLGATE_AUDIT_KEY=\(String(repeating: "5a", count: 32))", tollgate, "run", "--manifest", fullManifestPath]
let largeConfigurations: [(String, [String])] = [
    ("raw relay", [selfPath, "relay", "--"] + server),
    ("tollgate", [tollgate, "run", "--"] + server),
    ("tollgate+full (HMAC)", fullCommand + ["--"] + server),
]
// The full configuration's own report at exit (`--log-level info`: how many writes its ledger
// took and how many calls waited on compaction or fdatasync) is appended to this file.
let fullReportPath = "/tmp/tollgate-bench-\(getpid())-full.report"
defer { unlink(fullReportPath) }
func reporting(_ command: [String]) -> [String] {
    ["/bin/sh", "-c", #"exec "$@" 2>>"\#(fullReportPath)""#, "sh"] + command.prefix(4) + ["--log-level", "info"] + command.dropFirst(4)
}
if largeOnly {
    let measured = LargeMessage.report(largeConfigurations, bytes: largeMiB << 20, rounds: rounds)
    removeFullFiles()
    for path in [manifestPath, auditManifestPath, singleManifestPath, aggregatingManifestPath] { unlink(path) }
    exit(measured ? 0 : 1)
}
var configurations: [(String, [String])] = [
    ("direct", server),
    ("raw relay", [selfPath, "relay", "--"] + server),
    ("tollgate", [tollgate, "run"] + extra + ["--"] + server),
    ("tollgate+policy", [tollgate, "run", "--manifest", manifestPath, "--"] + server),
    ("tollgate+audit", [tollgate, "run", "--manifest", auditManifestPath, "--"] + server),
    ("tollgate+full", reporting(fullCommand) + ["--"] + server),
    ("one server", [tollgate, "run", "--manifest", singleManifestPath]),
    ("two servers", [tollgate, "run", "--manifest", aggregatingManifestPath]),
]
// The same pipelined run with client and server writing one message per write, as MCP SDK
// clients and servers do: the relays then see small reads, as in real use.
let perMessageServer = [selfPath, "server", "--per-message"]
var perMessageConfigurations: [(String, [String])] = [
    ("direct/1", perMessageServer),
    ("raw relay/1", [selfPath, "relay", "--"] + perMessageServer),
    ("tollgate/1", [tollgate, "run"] + extra + ["--"] + perMessageServer),
    ("tollgate+audit/1", [tollgate, "run", "--manifest", auditManifestPath, "--"] + perMessageServer),
    ("tollgate+full/1", reporting(fullCommand) + ["--"] + perMessageServer),
]
if relayOnly {
    configurations = Array(configurations.prefix(3))
    perMessageConfigurations = Array(perMessageConfigurations.prefix(3))
}
var samples: [String: [RoundTrip]] = [:]
for round in 1...rounds {
    for (name, command) in configurations {
        guard let trip = RoundTrip.measure(command, sequential: sequential, pipelined: pipelined) else {
            FileHandleStderr.write("\(name): the measurement failed (\(command.joined(separator: " ")))\n")
            exit(1)
        }
        samples[name, default: []].append(trip)
    }
    for (name, command) in perMessageConfigurations {
        guard let trip = RoundTrip.measure(command, sequential: 10, pipelined: pipelined, perMessage: true) else {
            FileHandleStderr.write("\(name): the measurement failed (\(command.joined(separator: " ")))\n")
            exit(1)
        }
        samples[name, default: []].append(trip)
    }
    FileHandleStderr.write("round \(round)/\(rounds) done\n")
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}
func fmt(_ value: Double, _ digits: Int = 1) -> String {
    if digits == 0 { return value.isFinite ? String(Int(value.rounded())) : String(value) }
    let scale = pow(10.0, Double(digits))
    return String((value * scale).rounded() / scale)
}

print("Tollgate benchmark: \(rounds) interleaved rounds, \(sequential) sequential + \(pipelined) pipelined tools/call each; medians of rounds")
print("configuration   start-up µs   seq p50 µs   seq p99 µs   pipelined calls/s   peak RSS MiB")
var summary: [String: (startup: Double, p50: Double, p99: Double, rate: Double, rss: Double)] = [:]
for (name, _) in configurations {
    let trips = samples[name]!
    let row = (median(trips.map(\.startupMicros)), median(trips.map(\.p50)), median(trips.map(\.p99)),
               median(trips.map(\.callsPerSecond)), Double(trips.map(\.peakRSSKiB).max() ?? 0) / 1024)
    summary[name] = row
    var line = pad(name, 16) + pad(fmt(row.0, 0), 14)
    line += pad(fmt(row.1), 13) + pad(fmt(row.2), 13)
    line += pad(fmt(row.3, 0), 20) + fmt(row.4)
    print(line)
}
let direct = summary["direct"]!, raw = summary["raw relay"]!, gate = summary["tollgate"]!
let rawAdded = raw.p50 - direct.p50, gateAdded = gate.p50 - direct.p50
print("")
print("added p50 latency: raw relay \(fmt(rawAdded)) µs, tollgate \(fmt(gateAdded)) µs, ratio \(fmt(gateAdded / max(rawAdded, 0.1), 2)) (goal ≤ 1.5)")
print("pipelined throughput, 4 KiB writes: tollgate / raw relay = \(fmt(gate.rate / raw.rate, 2)) (goal ≥ 0.7)")
let perMessageRates = perMessageConfigurations.map { name, _ in median(samples[name]!.map(\.callsPerSecond)) }
print("pipelined throughput, one write per message: direct \(fmt(perMessageRates[0], 0)), raw relay \(fmt(perMessageRates[1], 0)), tollgate \(fmt(perMessageRates[2], 0)) calls/s; tollgate / raw relay = \(fmt(perMessageRates[2] / perMessageRates[1], 2)) (goal ≥ 0.7)")
if !relayOnly {
    let rawPerMessage = perMessageRates[1]
    print("pipelined throughput, one write per message, × raw relay/1: + audit (fsync batch) \(fmt(perMessageRates[3] / rawPerMessage, 3)) (goal ≥ 0.4), "
          + "full (audit + ledger + HMAC) \(fmt(perMessageRates[4] / rawPerMessage, 3)) (goal ≥ 0.3)")
    let full = summary["tollgate+full"]!
    print("full configuration (schema, HMAC audit, call budget on a ledger): added p50 \(fmt(full.p50 - direct.p50)) µs, throughput ratio (4 KiB writes) \(fmt(full.rate / raw.rate, 2))")
    // Each run of the full configuration reported its ledger at exit.
    let reports = String(decoding: (try? FileIO.read(fullReportPath)) ?? [], as: UTF8.self).split(separator: "\n").filter { $0.contains("calls waited on") }
    func number(after marker: String, in line: Substring) -> Int {
        line.firstRange(of: marker).flatMap { line[$0.upperBound...].split(separator: " ").first }.flatMap { Int($0) } ?? 0
    }
    let writes = reports.map { number(after: "the ledger took ", in: $0) }.reduce(0, +)
    let waited = reports.map { number(after: "; ", in: $0) }.reduce(0, +)
    // Per round: the table's run (sequential + pipelined) and the one-write-per-message run (10 + pipelined).
    let calls = rounds * (sequential + 10 + 2 * pipelined)
    print("full configuration: \(waited) calls waited on ledger compaction or fdatasync, in \(reports.count) runs (goal 0); "
          + "its ledger took \(writes) writes for \(calls) calls (a group commit writes a batch's reservations in one)")
}
print("peak RSS of tollgate: \(fmt(gate.rss)) MiB (goal ≤ 20)")
print("start-up added over direct: \(fmt((gate.startup - direct.startup) / 1000, 2)) ms (goal ≤ 10)")
if !relayOnly {
    let policy = summary["tollgate+policy"]!
    let audited = summary["tollgate+audit"]!
    print("with a manifest and an audit trail (fsync batch): added p50 \(fmt(audited.p50 - direct.p50)) µs, \(fmt(audited.p50 - policy.p50)) µs over the manifest alone; throughput ratio \(fmt(audited.rate / raw.rate, 2))")
    print("with a manifest: added p50 \(fmt(policy.p50 - direct.p50)) µs (ratio \(fmt((policy.p50 - direct.p50) / max(rawAdded, 0.1), 2))), throughput ratio \(fmt(policy.rate / raw.rate, 2)), peak RSS \(fmt(policy.rss)) MiB")
    let single = summary["one server"]!, aggregating = summary["two servers"]!
    let singleAdded = single.p50 - direct.p50, aggregatingAdded = aggregating.p50 - direct.p50
    print("aggregating path (two servers behind one gate) vs single-server path (manifest, default allow): added p50 \(fmt(aggregatingAdded)) µs vs \(fmt(singleAdded)) µs, ratio \(fmt(aggregatingAdded / max(singleAdded, 0.1), 2)) (goal ≤ 1.2); throughput \(fmt(aggregating.rate, 0)) vs \(fmt(single.rate, 0)) calls/s; peak RSS \(fmt(aggregating.rss)) MiB")
}
if !relayOnly {
    print("")
    guard LargeMessage.report(largeConfigurations, bytes: largeMiB << 20, rounds: min(rounds, 3)) else { exit(1) }
}
if relayOnly {
    for path in [manifestPath, auditManifestPath, singleManifestPath, aggregatingManifestPath] { unlink(path) }
    exit(0)
}
print("")
print("in-process cost per operation (best of 5):")
defer {
    // Budget accounting, in memory and on a ledger (in a fresh temporary folder).
    var template = Array("/tmp/tollgate-bench-budget-XXXXXX".utf8CString)
    if let folder = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) {
        let directory = String(decoding: UnsafeRawBufferPointer(start: folder, count: strlen(folder)), as: UTF8.self)
        print("")
        print("budget accounting per call:")
        do throws(LedgerError) {
            print(try BudgetBenchmark.run(directory: directory).text)
        } catch {
            print("  ledger benchmark failed: \(error)")
        }
        print("")
        print("audit recording per call (decision + outcome records):")
        do throws(AuditError) {
            print(try AuditBenchmark.run(directory: directory).text)
        } catch {
            print("  audit benchmark failed: \(error)")
        }
        _ = system("rm -rf '\(directory)'")
    }
    print("")
    print("telemetry (traces + metrics, always_on, to a collector on loopback):")
    print(TelemetryBenchmark.run()?.text ?? "  telemetry benchmark: no loopback socket")
}
for (name, nanoseconds) in Micro.run() {
    print("  " + pad(name, 44) + fmt(nanoseconds, 0) + " ns")
}

enum FileHandleStderr {
    static func write(_ text: String) { _ = Array(text.utf8).withUnsafeBytes { writeFully(2, $0) } }
}
