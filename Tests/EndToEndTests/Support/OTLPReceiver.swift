import Foundation

/// `Tests/Fixtures/otlp_receiver.py` running: an OTLP/HTTP receiver on 127.0.0.1 that parses
/// every body with the official `opentelemetry-proto` package (unknown fields refused) and
/// records it, one JSON line per request. Killed when the object goes away.
final class OTLPReceiver: Sendable {
    let pid: pid_t
    let port: Int
    let recordPath: String

    /// Starts the receiver (`mode`: ok, fail500 or hang) on `port` (0: any free one).
    init(mode: String = "ok", port: Int = 0, in directory: TemporaryDirectory) async throws {
        let python = try await PythonEnvironment.python()
        recordPath = directory.path("received-\(UUID().uuidString.prefix(8)).jsonl")
        let output = directory.path("receiver-\(UUID().uuidString.prefix(8)).out")
        pid = try Spawner.spawn([python, Repository.fixtures + "/otlp_receiver.py", "--record", recordPath, "--mode", mode, "--port", String(port)],
                                environment: ProcessInfo.processInfo.environment, stdin: .devNull, stdout: .file(output), stderr: .file(output + ".err"))
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first, line.hasPrefix("PORT "), let number = Int(line.dropFirst(5)) {
                self.port = number
                return
            }
            if ContinuousClock.now > deadline || ProcFS.isGone(pid) {
                kill(pid, SIGKILL)
                _ = Spawner.reap(pid, block: true)
                throw E2EError("otlp_receiver.py did not start: \((try? String(contentsOfFile: output + ".err", encoding: .utf8)) ?? "")")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    deinit {
        kill(pid, SIGKILL)
        _ = Spawner.reap(pid, block: true)
    }

    /// The base URL.
    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far.
    var requests: [JSON] { fileLines(recordPath).compactMap { try? JSON(parsing: $0) } }

    /// Waits until `ready` holds for the requests received, or fails after `timeout`.
    func wait(timeout: Duration = .seconds(20), until ready: ([JSON]) -> Bool) async throws -> [JSON] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let received = requests
            if ready(received) { return received }
            if ContinuousClock.now > deadline { throw E2EError("the receiver did not get what was expected within \(timeout): \(received.count) requests") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// Reading what an OTLP receiver or file got.
enum OTLP {
    /// The spans of trace requests (`body` of a receiver record, or a file line).
    static func spans(_ bodies: [JSON]) -> [JSON] {
        bodies.flatMap { body in
            (body["resourceSpans"].array ?? []).flatMap { ($0["scopeSpans"].array ?? []).flatMap { $0["spans"].array ?? [] } }
        }
    }

    /// The metrics of the last metrics request among `bodies`.
    static func lastMetrics(_ bodies: [JSON]) -> [JSON] {
        guard let last = bodies.last(where: { $0["resourceMetrics"].exists }) else { return [] }
        return (last["resourceMetrics"].array ?? []).flatMap { ($0["scopeMetrics"].array ?? []).flatMap { $0["metrics"].array ?? [] } }
    }

    /// The log records of log requests.
    static func logRecords(_ bodies: [JSON]) -> [JSON] {
        bodies.flatMap { body in
            (body["resourceLogs"].array ?? []).flatMap { ($0["scopeLogs"].array ?? []).flatMap { $0["logRecords"].array ?? [] } }
        }
    }

    /// Attributes as key → the value's one member (`stringValue`, `intValue`, ...).
    static func attributes(_ item: JSON) -> [String: JSON] {
        var attributes: [String: JSON] = [:]
        for attribute in item["attributes"].array ?? [] {
            guard let key = attribute["key"].string, let value = attribute["value"].object?.values.first else { continue }
            attributes[key] = value
        }
        return attributes
    }

    /// The value of a sum's data point whose attributes include `matching`, summed over such points.
    static func sum(_ metrics: [JSON], _ name: String, matching: [String: String] = [:]) -> Int {
        guard let metric = metrics.first(where: { $0["name"].string == name }) else { return 0 }
        return (metric["sum"]["dataPoints"].array ?? []).filter { point in
            let shown = attributes(point)
            return matching.allSatisfy { shown[$0.key]?.string == $0.value }
        }.compactMap { Int($0["asInt"].string ?? "") }.reduce(0, +)
    }
}
