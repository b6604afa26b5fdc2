/// One record of the audit trail: a JSON object, written as one line. Field names and values
/// are a contract (tools outside Tollgate read them):
///
/// | field | meaning |
/// | --- | --- |
/// | `time` | RFC 3339 UTC with microseconds, `2026-11-23T18:30:00.123456Z` |
/// | `seq` | position in the log's chain, from 1: one count shared by every writer of the log, continued across rotation |
/// | `run` | the run id: 16 random bytes in hex, one per Tollgate process |
/// | `event` | `file_start`, `decision`, `outcome`, `start`, `server_exit`, `reload`, `approval`, `budget`, `network`, `sandbox`, … |
/// | `server`, `tool` | which server and tool the record is about |
/// | `agent` | on `decision` and `outcome`: the agent the call came from: `tollgate run --agent` (or `TOLLGATE_AGENT`), else the client's `clientInfo.name`, once known |
/// | `workflow` | on `decision` and `outcome`: `tollgate run --workflow` (or `TOLLGATE_WORKFLOW`), when given |
/// | `decision` | `allowed`, `denied` or `would_deny` (monitor mode) |
/// | `code`, `rule`, `reason` | the denial, as in `_meta["dev.tollgate/denial"]`; on an `outcome`, the code the client got in place of the server's answer (`timeout`, `result_too_large`, `server_unavailable`) |
/// | `arguments` | the call's arguments as the `audit.arguments` setting says |
/// | `argumentsCut` | `{"bytes", "omitted"}` when the arguments were cut to `audit.maxArgumentBytes` (see ``AuditArguments``) |
/// | `argumentsSha256` | hex SHA-256 of the canonical arguments as called (always, whatever the setting, cut or not) |
/// | `outcome` | `{"isError", "bytes", "tokens", "durationUs"}` of a forwarded call |
/// | `budgets` | budgets remaining after the call |
/// | `cost` | what the call cost, when budgets price it |
/// | `manifestSha256` | hex SHA-256 of the manifest (`start`, `reload`) |
/// | `status` | how the server ended (`server_exit`): `exit 0`, `signal 9` |
/// | `prev` | the `hash` of the record before it in the chain, across files (64 zeros for the log's first) |
/// | `alg` | `sha256` or `hmac-sha256`: how `hash` was computed |
/// | `hash` | hex digest of the canonical record (see ``canonicalBytes``), written last |
///
/// `time`, `seq`, `run`, `prev`, `alg` and `hash` are filled in by ``AuditLog`` when it appends.
public struct AuditRecord: Sendable, Equatable {
    /// The field names (a contract).
    public enum Field {
        /// RFC 3339 UTC time with microseconds.
        public static let time = "time"
        /// Position in the run, from 1.
        public static let seq = "seq"
        /// The run id.
        public static let run = "run"
        /// What the record is about (``Event``).
        public static let event = "event"
        /// The server's name.
        public static let server = "server"
        /// The tool a call named.
        public static let tool = "tool"
        /// What was decided (``Decision``).
        public static let decision = "decision"
        /// The denial code.
        public static let code = "code"
        /// The manifest rule that decided.
        public static let rule = "rule"
        /// Why, in one sentence.
        public static let reason = "reason"
        /// The arguments, as `audit.arguments` says (``AuditRedaction/Mode``).
        public static let arguments = "arguments"
        /// Hex SHA-256 of the canonical arguments.
        public static let argumentsSha256 = "argumentsSha256"
        /// How the arguments were cut (see ``AuditArguments``).
        public static let argumentsCut = "argumentsCut"
        /// How a forwarded call ended (``Outcome``).
        public static let outcome = "outcome"
        /// Budgets remaining.
        public static let budgets = "budgets"
        /// What the call cost.
        public static let cost = "cost"
        /// Hex SHA-256 of the manifest (`start`, `reload`).
        public static let manifestSha256 = "manifestSha256"
        /// How the server ended (`server_exit`).
        public static let status = "status"
        /// The hash of the record before in the chain.
        public static let prev = "prev"
        /// How `hash` was computed (``Algorithm``).
        public static let alg = "alg"
        /// The chain hash of this record, written last.
        public static let hash = "hash"
        /// The agent a call came from: the client's `clientInfo.name` (on call records, once known).
        public static let agent = "agent"
        /// The workflow a call belongs to, when a record names one (read by `audit summary`).
        public static let workflow = "workflow"
    }

    /// What a record is about (`event`).
    public enum Event: String, Sendable, CaseIterable {
        /// The first record of every log file, written by the writer that creates the file (a new
        /// log, a rotation): its `seq` and `prev` say where in the chain the file starts.
        case fileStart = "file_start"
        case decision
        /// How a forwarded call ended (written when its response arrives).
        case outcome
        case start
        case serverExit = "server_exit"
        case reload
        /// A held call's approval was asked for or decided (``AuditRecord/approval(_:server:)``).
        case approval
        case budget
        /// A pinned tool's listed definition no longer matches its pin: the tool is blocked.
        case toolChanged = "tool_changed"
        /// A connection a sandboxed server's proxy allowed or refused.
        case network
        /// A server ran without the sandbox it asked for (not `required`).
        case sandbox
        /// The budget store became unavailable (`state`: `unavailable` or `local`) or available again.
        case budgetStore = "budget_store"
        /// `tollgate budget reset` deleted a scope's budgets in the store.
        case budgetReset = "budget_reset"
    }

    /// What was decided about a call (`decision`).
    public enum Decision: String, Sendable, CaseIterable {
        case allowed
        case denied
        /// Monitor mode: the call went through but enforce mode would have refused it.
        case wouldDeny = "would_deny"
    }

    /// How the chain hash is computed (`alg`).
    public enum Algorithm: String, Sendable, CaseIterable {
        /// SHA-256 of the canonical record: detects edits, but anyone can re-hash a chain.
        case sha256
        /// HMAC-SHA-256 with the key from `TOLLGATE_AUDIT_KEY`: only the key holder can forge.
        case hmacSHA256 = "hmac-sha256"
    }

    /// How a forwarded call ended (`outcome`).
    public struct Outcome: Sendable, Equatable {
        /// Whether the client got an error: the result's `isError`, or true for a JSON-RPC error and
        /// for a denial in place of the answer (``code``).
        public var isError: Bool
        /// The size of the response in bytes.
        public var bytes: Int
        /// Estimated tokens of the response, if estimated.
        public var tokens: Int?
        /// From forwarding the call to its response, in microseconds.
        public var durationUs: Int
        /// The denial the client got in place of the server's answer (a timeout, a withheld
        /// result, the server gone), or nil when the answer was relayed. Written as the outcome
        /// record's `code`, not inside the `outcome` object.
        public var code: Denial.Code?

        /// Creates an outcome.
        public init(isError: Bool, bytes: Int, tokens: Int? = nil, durationUs: Int, code: Denial.Code? = nil) {
            self.isError = isError
            self.bytes = bytes
            self.tokens = tokens
            self.durationUs = durationUs
            self.code = code
        }

        /// The `outcome` object (without ``code``).
        public var json: JSONValue {
            var object: JSONObject = ["isError": .bool(isError), "bytes": .number(String(bytes))]
            if let tokens { object["tokens"] = .number(String(tokens)) }
            object["durationUs"] = .number(String(durationUs))
            return .object(object)
        }
    }

    /// The fields, in the order they were set (the written line is in canonical order).
    public var fields: JSONObject

    /// A record of the given fields.
    public init(_ fields: JSONObject) {
        self.fields = fields
    }

    /// A record of an event, to which fields are then added.
    public init(event: Event) {
        fields = [Field.event: .string(event.rawValue)]
    }

    /// The value of a field.
    public subscript(field: String) -> JSONValue? {
        get { fields[field] }
        set { fields[field] = newValue }
    }

    /// A string field, or nil when absent or of another type.
    public func string(_ field: String) -> String? { fields[field]?.stringValue }

    /// `seq`, when it is an integer.
    public var seq: Int? {
        if case .number(let text) = fields[Field.seq] { return Int(text) }
        return nil
    }

    /// `hash`, when present.
    public var hash: String? { string(Field.hash) }

    /// `prev`, when present.
    public var prev: String? { string(Field.prev) }
}
