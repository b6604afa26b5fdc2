import TollgateKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `tollgate-bench loop effects N`: the work a fully checked call costs the gate in process, N
/// times, for instruction counts under `valgrind --tool=callgrind` or `perf stat`: the full
/// configuration's manifest (an argument schema, an HMAC-keyed audit trail with `fsync: batch`,
/// a call budget on a ledger), each call decided by the ``PolicyGate``, its effects carried out
/// by the ``EffectsOwner`` (the ledger's reservation, the `decision` record), then completed
/// (settled, its `outcome` record written), as a sequential client's calls are.
enum EffectsLoop {
    /// Runs `count` calls with files in a fresh folder under /tmp, removed after.
    static func run(count: Int) -> Bool {
        var template = Array("/tmp/tollgate-bench-effects-XXXXXX".utf8CString)
        guard let folder = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else { return false }
        let directory = String(cString: folder)
        defer { _ = system("rm -rf '\(directory)'") }
        let manifestText = #"{"version": 1, "tools": {"echo": {"arguments": {"type": "object", "properties": {"text": {"type": "string"}}}}}, "#
            + #""audit": {"path": "\#(directory)/full.audit", "fsync": "batch"}, "budgets": {"calls": 1000000000, "ledger": "\#(directory)/full.ledger"}}"#
        do {
            let manifest = try ManifestLoader.parse(SourceText(path: directory + "/manifest.json", bytes: Array(manifestText.utf8)))
            guard let settings = manifest.audit, let ledgerPath = manifest.budgets.ledger else { return false }
            let log = try AuditLog.open(path: settings.path, fsync: settings.fsync, key: Array(repeating: 0x5a, count: 32))
            let trail = AuditTrail(log: log, arguments: settings.arguments, maxArgumentBytes: settings.maxArgumentBytes, server: nil)
            let ledger = try Ledger(path: ledgerPath, limits: manifest.budgetLimits, maintenance: .background, now: GateClock.system.wallMilliseconds())
            let effects = CallEffects(audit: trail, limits: manifest.budgetLimits, account: ledger)
            var gate = PolicyGate(manifest: manifest, effects: effects)
            let owner = EffectsOwner(effects)
            var refused = 0
            for index in 0..<count {
                let call = try ToolCall(id: RequestID(bytes: Array(String(index).utf8), isString: false, hasEscapes: false),
                                        params: ["name": "echo", "arguments": ["text": "hello from the benchmark"]])
                guard case .forward = gate.decide(call) else { return false }
                refused += owner.complete(owner.enqueue(gate.takeEffects())).count
                _ = gate.callCompleted(call, outcome: .result(isError: false, bytes: 64), result: nil)
                _ = owner.enqueue(gate.takeEffects())
                owner.drain()
                log.writePending()
            }
            owner.finish()
            try ledger.flush()
            try log.close()
            return refused == 0
        } catch {
            print("effects loop failed: \(error)")
            return false
        }
    }
}
