import Foundation
import Testing

/// A collector that is down, never answers, or fails: 10,000 calls each keep their latency,
/// what telemetry could not export is dropped and counted, and Tollgate's memory stays flat.
@Suite("Telemetry under a failing collector", .serialized, .timeLimit(.minutes(4)))
struct TelemetryLoadTests {
    static let calls = 10_000

    /// What a run of calls measured.
    struct Run {
        var latencies: [Double]  // milliseconds, sorted
        var residentEarly: Int
        var residentLate: Int

        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        var summary: String {
            String(format: "p50 %.3f ms, p99 %.3f ms, max %.1f ms; RSS %d KiB after 1,000 calls, %d KiB after %d", percentile(0.5), percentile(0.99),
                   latencies.last ?? 0, residentEarly, residentLate, latencies.count)
        }
    }

    /// Sends `calls` echo calls one after another; `halfway` runs once in the middle.
    func drive(_ session: PolicySession, halfway: (() async throws -> Void)? = nil) async throws -> Run {
        var latencies: [Double] = []
        latencies.reserveCapacity(Self.calls)
        var early = 0
        for id in 1...Self.calls {
            let started = ContinuousClock.now
            try await session.gate.send(RPC.toolCall(id: "\(id)", name: "echo", arguments: #"{"text":"x"}"#))
            let line = try await session.gate.readLine()
            let elapsed = ContinuousClock.now - started
            latencies.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
            if id == 1 { #expect(line.text.contains(#""text":"x""#), "\(line.text)") }
            if id == 1000 { early = ProcFS.residentKilobytes(session.gate.pid) ?? 0 }
            if id == Self.calls / 2 { try await halfway?() }
        }
        let late = ProcFS.residentKilobytes(session.gate.pid) ?? 0
        return Run(latencies: latencies.sorted(), residentEarly: early, residentLate: late)
    }

    /// A loopback port nothing listens on (bound, then closed).
    func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw E2EError("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The drops counted in the last metrics a file or collector got.
    func dropped(_ bodies: [JSON]) -> Int {
        OTLP.sum(OTLP.lastMetrics(bodies), "tollgate.telemetry.dropped")
    }

    func session(_ label: String, telemetry: String?, environment: [String: String?] = [:]) throws -> PolicySession {
        let section = telemetry.map { #", "telemetry": {\#($0)}"# } ?? ""
        return try PolicySession(label, manifest: #"{"version": 1, "tools": {"echo": {}}\#(section)}"#, environment: environment)
    }

    /// Memory grows by at most this much between call 1,000 and call 10,000.
    static let flatKilobytes = 8 * 1024

    @Test("10,000 calls with the collector down, then back: latency kept, drops counted and exported on recovery, RSS flat")
    func collectorDown() async throws {
        let baseline = try session("telemetry-baseline", telemetry: nil)
        let plain = try await drive(baseline)
        #expect(try await baseline.finish() == 0)
        print("telemetry off: \(plain.summary)")

        let directory = try TemporaryDirectory("telemetry-down")
        let port = try freePort()
        let file = directory.path("otlp.jsonl")
        let down = try session("telemetry-down", telemetry: #""endpoint": "http://127.0.0.1:\#(port)", "file": "\#(file)", "spanDelaySeconds": 0.2, "metricIntervalSeconds": 0.5"#)
        var receiver: OTLPReceiver?
        let run = try await drive(down) { receiver = try await OTLPReceiver(port: port, in: directory) }
        #expect(try await down.finish() == 0)
        print("collector down, then up: \(run.summary)")
        #expect(run.latencies.last ?? .infinity < 1000, "a call waited for the collector: \(run.summary)")
        #expect(run.residentLate - run.residentEarly < Self.flatKilobytes, "memory grew: \(run.summary)")
        #expect(down.gate.stderrText.contains("telemetry: cannot export"), "\(down.gate.stderrText)")
        let received = try #require(receiver).requests
        expectAccepted(received)
        #expect(dropped(received.map { $0["body"] }) > 0, "the collector never learned of the drops: \(received.count) requests")
        #expect(OTLP.sum(OTLP.lastMetrics(received.map { $0["body"] }), "tollgate.decisions") == Self.calls)
    }

    @Test("10,000 calls with a collector that accepts and never answers: no call waits for it; drops counted; RSS flat")
    func collectorHangs() async throws {
        let directory = try TemporaryDirectory("telemetry-hang")
        let receiver = try await OTLPReceiver(mode: "hang", in: directory)
        let file = directory.path("otlp.jsonl")
        let hung = try session("telemetry-hang", telemetry: #""endpoint": "\#(receiver.endpoint)", "file": "\#(file)", "spanDelaySeconds": 0.2, "metricIntervalSeconds": 0.5, "timeoutSeconds": 1"#)
        let run = try await drive(hung)
        #expect(try await hung.finish() == 0)
        print("collector never answering (1 s export timeout): \(run.summary)")
        #expect(run.latencies.last ?? .infinity < 900, "a call waited for the collector: \(run.summary)")
        #expect(run.residentLate - run.residentEarly < Self.flatKilobytes, "memory grew: \(run.summary)")
        let lines = fileLines(file).compactMap { try? JSON(parsing: $0) }
        #expect(dropped(lines) > 0, "no drops counted")
        #expect(OTLP.sum(OTLP.lastMetrics(lines), "tollgate.decisions") == Self.calls)
    }

    @Test("10,000 calls with a collector answering 500: latency kept, drops counted and reported to it, RSS flat")
    func collectorFails() async throws {
        let directory = try TemporaryDirectory("telemetry-500")
        let receiver = try await OTLPReceiver(mode: "fail500", in: directory)
        let failing = try session("telemetry-500", telemetry: #""endpoint": "\#(receiver.endpoint)", "spanDelaySeconds": 0.2, "metricIntervalSeconds": 0.5"#)
        let run = try await drive(failing)
        #expect(try await failing.finish() == 0)
        print("collector answering 500: \(run.summary)")
        #expect(run.latencies.last ?? .infinity < 1000, "a call waited for the collector: \(run.summary)")
        #expect(run.residentLate - run.residentEarly < Self.flatKilobytes, "memory grew: \(run.summary)")
        let received = receiver.requests
        expectAccepted(received)
        let bodies = received.map { $0["body"] }
        #expect(OTLP.sum(OTLP.lastMetrics(bodies), "tollgate.telemetry.dropped", matching: ["tollgate.telemetry.reason": "export_failed"]) > 0)
        #expect(failing.gate.stderrText.contains("HTTP status 500"), "\(failing.gate.stderrText)")
    }

    func expectAccepted(_ requests: [JSON], sourceLocation: SourceLocation = #_sourceLocation) {
        for request in requests where request["ok"].bool != true {
            Issue.record("the receiver refused a body: \(request["path"]) \(request["error"])", sourceLocation: sourceLocation)
        }
    }
}
