/// Re-decides every call an audit trail recorded under another manifest's policy, and tells
/// what would change: the safe way to tighten a policy (`tollgate audit replay`).
///
/// What is judged: the name rules and the rules' argument schemas, exactly as ``PolicyGate``
/// decides them. What is not: budgets and rate limits (they depend on the order, the clock and
/// the ledger of the original run, so they are not simulated), the tool's own `inputSchema`,
/// pins and `unknown_tool` (they need the server's `tools/list`), and approvals (a call the new
/// manifest would hold for approval is reported as such). A call is judged only when its
/// arguments were recorded in full: the recorded `arguments` must hash to the recorded
/// `argumentsSha256` (so `redacted` records with nothing redacted count as full); `digest`
/// records, records where redaction changed something and records whose arguments were cut
/// (`argumentsCut`) cannot be judged and are listed.
public struct AuditReplay: Sendable {
    /// How the new manifest's decision differs from the recorded one.
    public enum Kind: String, Sendable, CaseIterable {
        /// Recorded allowed (or would_deny in monitor mode, which ran), now denied.
        case allowedToDenied = "allowed_to_denied"
        /// Recorded denied by policy, now allowed.
        case deniedToAllowed = "denied_to_allowed"
        /// Denied both times, by another code or rule.
        case deniedDifferently = "denied_differently"
        /// Recorded allowed, now held for a person's approval first.
        case needsApproval = "needs_approval"
    }

    /// One recorded call whose decision would change.
    public struct Change: Sendable, Equatable {
        /// How the decision changes.
        public var kind: Kind
        /// Where the record is: `file:line`.
        public var location: String
        /// The record's `time`.
        public var time: String?
        /// The tool the call named.
        public var tool: String
        /// The recorded decision and code (`allowed`, `denied tool_denied`).
        public var recorded: String
        /// The new denial, when the new manifest denies.
        public var denial: Denial?
    }

    /// One recorded call that cannot be judged, and why.
    public struct Unjudged: Sendable, Equatable {
        /// Where the record is: `file:line`.
        public var location: String
        /// The tool the call named.
        public var tool: String
        /// Why it cannot be judged.
        public var why: String
    }

    /// The number of decision records replayed.
    public private(set) var calls = 0
    /// Calls decided as recorded.
    public private(set) var unchanged = 0
    /// Calls decided otherwise, in log order.
    public private(set) var changes: [Change] = []
    /// Calls that could not be judged, in log order.
    public private(set) var unjudged: [Unjudged] = []
    /// Lines that are not JSON objects.
    public private(set) var skippedLines = 0
    /// The manifest replayed under.
    public let manifest: Manifest
    private var gate: PolicyGate

    /// Codes the policy decides (so a recorded denial with one of them can be compared).
    static let policyCodes: Set<String> = [Denial.Code.toolDenied.rawValue, Denial.Code.argumentsRejected.rawValue]

    /// A replay under `manifest`.
    public init(manifest: Manifest) {
        self.manifest = manifest
        gate = PolicyGate(manifest: manifest, diagnostics: .silent)
    }

    /// Replays audit files in the order given (oldest first).
    public static func replay(files: [String], under manifest: Manifest) throws(FileError) -> AuditReplay {
        var replay = AuditReplay(manifest: manifest)
        for path in files {
            let bytes = try FileIO.read(path)
            var number = 0
            for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
                number += 1
                if line.isEmpty { continue }
                guard let record = line.withUnsafeBytes({ try? JSONValue.parse($0) })?.objectValue else {
                    replay.skippedLines += 1
                    continue
                }
                replay.add(AuditRecord(record), location: "\(path):\(number)")
            }
        }
        return replay
    }

    /// Re-decides one record (records other than `decision` are ignored).
    public mutating func add(_ record: AuditRecord, location: String) {
        guard record.string(AuditRecord.Field.event) == AuditRecord.Event.decision.rawValue,
            let tool = record.string(AuditRecord.Field.tool), let decision = record.string(AuditRecord.Field.decision)
        else { return }
        calls += 1
        let code = record.string(AuditRecord.Field.code)
        let recordedDenied = decision != AuditRecord.Decision.allowed.rawValue
        if recordedDenied, let code, !Self.policyCodes.contains(code) {
            unjudged.append(Unjudged(location: location, tool: tool, why: "denied for \(code), which replay does not re-decide (it judges names and argument schemas only)"))
            return
        }
        guard let arguments = Self.fullArguments(of: record) else {
            let why = record[AuditRecord.Field.arguments] == nil
                ? "arguments not recorded (audit.arguments \"digest\")"
                : record[AuditRecord.Field.argumentsCut] != nil
                ? "arguments not recorded in full (cut to audit.maxArgumentBytes)"
                : "arguments not recorded in full (redaction replaced a value)"
            unjudged.append(Unjudged(location: location, tool: tool, why: why))
            return
        }
        let call: ToolCall
        do throws(JSONRPCError) {
            call = try ToolCall(id: RequestID(bytes: Array("0".utf8), isString: false, hasEscapes: false),
                                params: .object(["name": .string(tool), "arguments": .object(arguments)]))
        } catch {
            unjudged.append(Unjudged(location: location, tool: tool, why: "the record's arguments are not an object"))
            return
        }
        let recorded = recordedDenied ? "\(decision) \(code ?? "?")" : decision
        let time = record.string(AuditRecord.Field.time)
        switch (recordedDenied, gate.denial(for: call)) {
        case (false, nil):
            if gate.approval(for: call.name) != nil {
                changes.append(Change(kind: .needsApproval, location: location, time: time, tool: tool, recorded: recorded, denial: nil))
            } else {
                unchanged += 1
            }
        case (false, let denial?):
            changes.append(Change(kind: .allowedToDenied, location: location, time: time, tool: tool, recorded: recorded, denial: denial))
        case (true, nil):
            changes.append(Change(kind: .deniedToAllowed, location: location, time: time, tool: tool, recorded: recorded, denial: nil))
        case (true, let denial?):
            if denial.code.rawValue == code && denial.rule == record.string(AuditRecord.Field.rule) {
                unchanged += 1
            } else {
                changes.append(Change(kind: .deniedDifferently, location: location, time: time, tool: tool, recorded: recorded, denial: denial))
            }
        }
    }

    /// The recorded arguments, when they are the arguments as called (their canonical digest is
    /// the recorded `argumentsSha256`).
    static func fullArguments(of record: AuditRecord) -> JSONObject? {
        guard case .object(let arguments)? = record[AuditRecord.Field.arguments],
            let digest = record.string(AuditRecord.Field.argumentsSha256),
            AuditRecord.argumentsSha256(.object(arguments)) == digest
        else { return nil }
        return arguments
    }

    /// The exit status of `tollgate audit replay`: 0 when nothing would change, 3 when some call
    /// would be decided otherwise.
    public var exitCode: Int32 { changes.isEmpty ? 0 : 3 }
}
